// Package loop lets a network poller's event loop run the turns of the
// components it wakes itself, with no hand-over to a worker. The runtime
// (package axon) provides the Host; the network components use it. It is
// internal: a user never runs turns.
package loop

import (
	"sync"
	"sync/atomic"
)

// Host runs turns on a goroutine of its own that is not a worker: each
// component woken with Wake has a turn in the next Run, on the calling
// goroutine, followed by the turns it wakes, up to a bound; what is left
// goes to the components' runtimes. A component woken while its turn ran
// on the Host (by another loop, say) has one more turn there, after the
// others. A Host is used by one goroutine at a time.
type Host interface {
	// Wake wakes the component p (an axon.Part) to run in the next Run.
	Wake(p any)
	// Run runs the turns of the components woken since the last Run.
	Run()
}

// NewHost returns a Host. Package axon sets it when it is initialised, so
// it is set in every program that imports a network component.
var NewHost func() Host

// Join links the outbox out to the inbox in (an *axon.Outbox[T] and an
// *axon.Inbox[T] of the same T) with no Linkage: the link lasts as long as
// its boxes and costs nothing more than their own bookkeeping. It suits
// links made by the thousand between components that finish together (a
// connection's adapter and its handler). Package axon sets it; use the
// typed wrapper in package links.
var Join func(out, in any) error

// Unjoin removes the link that starts at the outbox out, however it was
// made. It does nothing if out is not linked. Package axon sets it.
var Unjoin func(out any)

// Recall takes back the oldest message the outbox out delivered that waits
// unhandled at the end of its chain. Package axon sets it; use the typed
// wrapper in package links.
var Recall func(out any) (any, bool)

// Framer cuts the byte stream that arrives in an inbox, in whatever pieces
// the network delivered it, into the frames its handler is given (package
// framing's *Framer). Cut follows bufio.SplitFunc's conventions: it returns
// the next frame in p and how many bytes of p it used; a nil frame with a
// nil error means p was used up and the frame goes on in the next piece; a
// non-nil frame, maybe empty, is a whole frame; an error is a bad frame.
// Reset forgets a partial frame.
type Framer interface {
	Cut(p []byte) (frame []byte, n int, err error)
	Reset()
}

// SetFramer makes in, an *axon.Inbox[[]byte], a framed inbox cut by f,
// which axon.ServeFrames serves. Package axon sets it.
var SetFramer func(in any, f Framer)

// FramerOf returns the framer of in, an *axon.Inbox[[]byte], or nil.
// Package axon sets it.
var FramerOf func(in any) Framer

// LimitEnd bounds in bytes (axon.LimitBytes) the inbox at the end of the
// chain of out, an *axon.Outbox[[]byte]: n bytes, each slice counted by
// its capacity, and, if pool is not nil, the inbox is full too while the
// pool is (see Pool). Package axon sets it.
var LimitEnd func(out any, n int, pool *Pool)

// LimitIn is LimitEnd for an *axon.Inbox[[]byte] itself.
var LimitIn func(in any, n int, pool *Pool)

// EndLen returns how many messages wait at the end of the chain of out,
// an *axon.Outbox[[]byte]. Package axon sets it.
var EndLen func(out any) int

// Pool is a budget in bytes shared by many boxes bounded in bytes (the
// connections of one server): each counts what it holds in Used, and a box
// that holds anything takes no more while Used is Max or more.
type Pool struct {
	Used atomic.Int64
	Max  int64
}

// Over reports whether the pool is spent.
func (p *Pool) Over() bool { return p != nil && p.Used.Load() >= p.Max }

// Feed is a source an inbox takes messages from besides the boxes linked
// to it: a subscription to a backplane. The inbox's owner takes from it in
// its turns, as it takes what waits in the inbox, and is woken when it has
// something (the wake func Attach is given).
type Feed[T any] interface {
	// Take gives put up to n waiting messages, oldest first, and returns
	// how many it gave. It is called with the inbox's lock held, by the
	// owner only.
	Take(n int, put func(T)) int
	// Len returns how many messages wait.
	Len() int
	// Attach is called when the inbox's owner is active (at once if it
	// is already): wake gives it a turn, from any goroutine. from is the
	// component (an *axon.Component) whose turn wakes it, or nil: woken
	// from a turn, the owner runs next on the same worker, as a message's
	// receiver does.
	Attach(wake func(from any))
	// Detach is called once the owner has finished; nothing will take
	// from the feed any more.
	Detach()
}

// SetFeed makes f, a Feed[T], a source of in, an *axon.Inbox[T]; an inbox
// has at most one. Package axon sets it.
var SetFeed func(in, f any) error

// Names returns the registry of names of the runtime rt, an *axon.Runtime:
// where its backplanes are found by name. Package axon sets it.
var Names func(rt any) *sync.Map

// Sink takes, in place of an inbox's queue, every message sent to the
// inbox: a backplane's inbox, which hands each message to its
// subscribers as it comes. It is called by whoever sends, with or without
// the inbox's lock: it serialises what it does itself.
type Sink[T any] interface {
	// Offer takes m, unless the sink is full: a sender then waits to be
	// woken (WakeWaiters). from is the sending component, an
	// *axon.Component, or nil when code outside any component sends.
	Offer(m T, from any) bool
	// Push takes m even when the sink is full (what a finished sender
	// held).
	Push(m T)
	// Full reports whether Offer would refuse a message now.
	Full() bool
}

// SetSink makes s, a Sink[T], the sink of in, an *axon.Inbox[T], before
// anything is sent to it. Package axon sets it.
var SetSink func(in, s any) error

// WakeWaiters wakes the senders waiting for room in in, an *axon.Inbox of
// any type. Package axon sets it.
var WakeWaiters func(in any)

// TurnEnder is told when a sender's turn has ended: a sink that held back
// what the turn sent makes it visible then, at once.
type TurnEnder interface{ TurnEnd(from any) }

// AtTurnEnd has e told, once, when the turn of from ends: from is the
// *axon.Component sending in a turn of its own, on the calling goroutine.
// It reports false, and does nothing, when from is not a reactive
// component in a turn. Package axon sets it.
var AtTurnEnd func(from any, e TurnEnder) bool

// StartHere starts children of parent (an *axon.Component), as its Start
// does, from parent's own turn on the calling goroutine: their first turns
// run where that turn runs, after it (on an event loop's host, or next on
// the worker), rather than wait in the run queue. A new connection's
// adapter and handler, made by ServerCore's turn on the event loop that
// accepted it, so read and answer their first request without waiting
// for a worker. Package axon sets it.
var StartHere func(parent any, children ...any) error
