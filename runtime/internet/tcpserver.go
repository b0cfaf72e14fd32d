package internet

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// Accept back-off after a temporary error: 5 ms, doubling up to 1 s, as
// net/http's Serve does.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
	acceptsPerTurn   = 64
)

// TCPServer accepts connections on a listening socket and announces each one
// on "protocolHandlerSignal" as a *NewConnection with its
// ConnectedSocketAdapter, not yet activated: Kamaelia's TCPServer, whose
// newCSA messages ServerCore turns into protocol handlers.
//
// Example:
//
//	ln, err := poller.Listen("tcp", "127.0.0.1:1500", poll.ListenConfig{})
//	if err != nil {
//		return err // a bind failure is an error here, not a silent idle process
//	}
//	srv := internet.NewTCPServer(ln, internet.ConnOptions{})
//	axon.Link(&srv.Conns, &myOwner.NewConns)
//
// # How does it work?
//
// The listener is created before the component (Listen returns the bind or
// listen error, which Kamaelia's B6 swallowed) and watched by the Selector. On each readiness the server
// accepts every waiting connection, a bounded number per turn, so a burst of
// clients is taken at once rather than one per event (Kamaelia's L3: one accept per event). A temporary
// accept error (EMFILE when descriptors run out, ECONNABORTED when a client
// gave up) pauses accepting with a back-off from 5 ms to 1 s and never stops
// the server (Kamaelia's B5: an accept error was fatal). While its owner has no room for another connection the
// server stops accepting, and clients wait in the kernel's backlog. Any
// signal on "control" closes the listener; the signal is forwarded on
// "signal".
type TCPServer struct {
	axon.Component
	Control axon.Inbox[axon.Signal]     `inbox:"control"`                      // any signal closes the listener
	Conns   axon.Outbox[*NewConnection] `outbox:"protocolHandlerSignal,cap=8"` // each accepted connection, its adapter not yet activated
	Signal  axon.Outbox[axon.Signal]    `outbox:"signal"`                      // the signal that stopped it

	ln       poll.Listener
	opts     ConnOptions
	ready    atomic.Uint32
	pending  bool           // connections may wait to be accepted
	held     *NewConnection // accepted, but the owner had no room
	backoff  time.Duration
	waiting  bool // paused after a temporary error
	accepted atomic.Int64
	paused   atomic.Bool
	closed   bool
}

// Pause stops accepting (clients wait in the listen backlog) or, with
// false, starts again. It is safe to call from any goroutine.
func (s *TCPServer) Pause(paused bool) {
	if s.paused.Swap(paused) && !paused {
		s.Ready(poll.Readable) // look at the backlog again
	}
}

// NewTCPServer makes the server of a listener; opts apply to every
// connection it accepts.
func NewTCPServer(ln poll.Listener, opts ConnOptions) *TCPServer {
	return (&TCPServer{ln: ln, opts: opts.withDefaults()}).initBoxes()
}

// Accepted returns how many connections the server has accepted.
func (s *TCPServer) Accepted() int64 { return s.accepted.Load() }

// Ready is called by the Selector when connections may wait.
func (s *TCPServer) Ready(ev poll.Events) {
	s.ready.Or(uint32(ev))
	s.Notify()
}

// onStart starts watching the listener.
func (s *TCPServer) onStart() {
	if err := s.ln.Watch(s); err != nil {
		s.closeListener()
		s.Fail(fmt.Errorf("watching the listener: %w", err))
		return
	}
	s.pending = true
}

// onControl closes the listener and stops.
func (s *TCPServer) onControl(sig axon.Signal) {
	s.closeListener()
	s.Signal.Send(sig)
	s.Stop()
}

// onStop closes the listener however the server was stopped.
func (s *TCPServer) onStop() { s.closeListener() }

func (s *TCPServer) closeListener() {
	if !s.closed {
		s.closed = true
		_ = s.ln.Close()
	}
}

// onWake ends a back-off pause.
func (s *TCPServer) onWake() {
	s.waiting = false
	s.pending = true
}

// onTurnEnd accepts what waits.
func (s *TCPServer) onTurnEnd() {
	if s.closed {
		return
	}
	if poll.Events(s.ready.Swap(0))&poll.Readable != 0 {
		s.pending = true
	}
	if s.held != nil {
		if !s.Conns.Offer(s.held) {
			return
		}
		s.held = nil
	}
	if !s.pending || s.waiting || s.paused.Load() {
		return
	}
	for range acceptsPerTurn {
		conn, err := s.ln.Accept()
		switch {
		case err == nil:
			s.backoff = 0
			s.accepted.Add(1)
			s.countAccept(nil)
			nc := &NewConnection{CSA: newCSA(conn, &s.opts), Peer: conn.RemoteAddr(), Local: conn.LocalAddr()}
			if !s.Conns.Offer(nc) {
				s.held = nc // accepting resumes when the owner has room
				return
			}
		case errors.Is(err, poll.ErrWouldBlock):
			s.pending = false
			return
		case poll.IsTemporary(err):
			s.countAccept(err)
			s.backoff = min(max(2*s.backoff, minAcceptBackoff), maxAcceptBackoff)
			s.Log().Warn("accept failed; retrying", "err", err, "after", s.backoff)
			s.waiting = true
			s.WakeAfter(s.backoff)
			return
		default:
			s.closeListener()
			s.Fail(fmt.Errorf("accepting on %s: %w", s.ln.Addr(), err))
			return
		}
	}
	s.Notify() // more may wait: after the others had a turn
}
