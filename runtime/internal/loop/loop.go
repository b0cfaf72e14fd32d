// Package loop lets a network poller's event loop run the turns of the
// components it wakes itself, with no hand-over to a worker. The runtime
// (package axon) provides the Host; the network components use it. It is
// internal: a user never runs turns.
package loop

// Host runs turns on a goroutine of its own that is not a worker: each
// component woken with Wake has a turn in the next Run, on the calling
// goroutine, followed by the turns it wakes, up to a bound; what is left
// goes to the components' runtimes. A Host is used by one goroutine at a
// time.
type Host interface {
	// Wake wakes the component p (an axon.Part) to run in the next Run.
	Wake(p any)
	// Run runs the turns of the components woken since the last Run.
	Run()
}

// NewHost returns a Host. Package axon sets it when it is initialised, so
// it is set in every program that imports a network component.
var NewHost func() Host
