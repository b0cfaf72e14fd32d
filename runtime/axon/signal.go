package axon

// Signal is a message on a control inbox or a signal outbox: Kamaelia's
// shutdown conventions.
//
//   - ProducerFinished: "no more data from upstream". A polite component
//     handles what it holds, then stops.
//   - ShutdownMicroprocess: "stop now".
//
// When a component stops because of a signal it forwards that same signal
// out of its signal outbox; one that stops on its own sends a new
// ProducerFinished. Other packages define their own signals by embedding one
// of these two (socketShutdown is a ProducerFinished, serverShutdown a
// ShutdownMicroprocess), the way Kamaelia subclasses them.
type Signal interface {
	// StopNow is true for a ShutdownMicroprocess (stop now) and false for a
	// ProducerFinished (finish what you hold, then stop).
	StopNow() bool
}

// ProducerFinished says that the sender has finished producing.
type ProducerFinished struct {
	Caller  any // who finished, usually the component
	Message any // optional detail
}

// StopNow is false: a ProducerFinished lets the receiver finish first.
func (*ProducerFinished) StopNow() bool { return false }

// ShutdownMicroprocess asks the receiver to stop now.
type ShutdownMicroprocess struct {
	Targets []any // what is to stop; empty means the receiver
}

// StopNow is true.
func (*ShutdownMicroprocess) StopNow() bool { return true }
