// Package poll is the socket layer under kamgen's network components: TCP
// listeners and connections that never block, and a Poller that tells their
// owners when they are ready, edge-triggered.
//
// Two Pollers implement it and pass one conformance suite: NewEpoll (Linux:
// epoll event loops, one per CPU, on sockets made with raw system calls) and
// NewPortable (any OS: Go's net package, with a goroutine per direction per
// connection). Default returns the best one for the platform.
//
// An epoll Poller made with NewEpollDispatch (DefaultDispatch) hands each
// loop's events to a Dispatcher of the loop's own instead of calling the
// Watchers: a scheduler can then act on a ready socket on the goroutine
// that found it (the network components run the adapter's turn right
// there). The conformance suite runs through a Dispatcher too.
//
// # The readiness contract
//
// A Watcher is told, through Ready, that its socket may have become ready.
// Ready is called from a poller goroutine and must not block: it records
// the events and wakes its owner (axon's Component.Notify). Notifications
// are edge-triggered: after Ready(Readable) the owner reads until Read
// returns ErrWouldBlock, and only a new arrival after that produces another
// Ready(Readable). An owner that stops reading early (backpressure, a
// fairness budget) remembers that more may be there and reads again later on
// its own. The same holds for Writable and Writev.
//
// Ready may come more often than needed (a spurious or merged notification is
// harmless), but a readiness that happens after ErrWouldBlock is never lost.
//
// The calls to one socket's Watcher never overlap: they come one at a time,
// from a poller goroutine, or from Watch itself (for readiness seen before
// Watch). Ready must not call the socket's methods: Close waits for a Ready
// in progress to return, so that none comes after Close has returned.
//
// # Using a socket
//
// A socket has one owner. Read, Writev, CloseWrite and Close may be called
// from different goroutines (the owner's reader and writer, a supervisor
// closing it), but two Reads or two Writevs at once make no sense. A
// socket's methods never block for I/O: Close waits at most for a system
// call or a Ready in progress.
package poll

import (
	"context"
	"errors"
	"net/netip"
)

// ErrWouldBlock means the operation cannot go on without waiting: nothing to
// read, no room to write, no connection to accept. The Watcher will be told
// when it can.
var ErrWouldBlock = errors.New("poll: operation would block")

// ErrClosed is returned by operations on a closed socket or poller.
var ErrClosed = errors.New("poll: use of closed socket")

// Events is a set of readiness events.
type Events uint32

const (
	// Readable: data, the peer's FIN (Read returns io.EOF) or an error
	// (Read returns it) waits to be read; for a Listener, a connection waits
	// to be accepted.
	Readable Events = 1 << iota
	// Writable: the socket has room to write, or a write would fail with an
	// error (Writev returns it).
	Writable
)

// Watcher is told when its socket may be ready. Ready must not block and
// must not call the socket's methods (see the package comment).
type Watcher interface {
	Ready(ev Events)
}

// Conn is a connected, non-blocking stream socket.
type Conn interface {
	// Watch starts notifications to w. It is called once, before the first
	// Read or Writev; a second Watch returns an error (the first Watcher
	// stays). Ready may be called at once, from Watch, with what was seen
	// before (Writable from the start, Readable if data is waiting).
	Watch(w Watcher) error
	// Read reads what has arrived, without blocking, into p. It returns
	// ErrWouldBlock when nothing has, io.EOF once the peer has closed its
	// side and everything was read, or the connection's error (such as
	// ECONNRESET). It may return n > 0 with ErrWouldBlock: it read all
	// there was, and the next arrival brings a Ready(Readable), as after
	// ErrWouldBlock alone (the epoll Poller does so after a short read,
	// saving a system call per message).
	Read(p []byte) (int, error)
	// Writev writes as much of bufs, in order, as the socket takes now,
	// without blocking, and returns how many bytes it wrote. When it wrote
	// less than all it returns ErrWouldBlock (with n possibly > 0); Ready
	// (Writable) follows when there is room. EPIPE and ECONNRESET come back
	// as errors, never as a signal.
	Writev(bufs [][]byte) (int, error)
	// CloseWrite shuts down the writing side (the peer reads EOF).
	CloseWrite() error
	// Close stops notifications and closes the socket. After Close returns,
	// Ready is not called again, and Watch, Read, Writev and CloseWrite
	// return ErrClosed. Closing twice returns ErrClosed. As with any
	// socket, the bytes Writev took are still sent after Close (the
	// portable Poller keeps its writer goroutine for them, 30 s at most);
	// unread input makes the close a reset.
	Close() error
	// LocalAddr and RemoteAddr are the connection's two ends.
	LocalAddr() netip.AddrPort
	RemoteAddr() netip.AddrPort
}

// Listener is a non-blocking listening TCP socket.
type Listener interface {
	// Watch starts notifications to w: Ready(Readable) when connections
	// wait to be accepted. A second Watch returns an error.
	Watch(w Watcher) error
	// Accept accepts one waiting connection without blocking. It returns
	// ErrWouldBlock when none waits. On each Ready(Readable) the owner
	// accepts until ErrWouldBlock: every waiting connection is taken. A
	// temporary error (EMFILE, ENFILE, ECONNABORTED, ENOBUFS, ENOMEM) is
	// returned as is: the listener still works, and the caller retries
	// after a pause, on its own (no Ready comes for connections that were
	// already waiting; see IsTemporary).
	Accept() (Conn, error)
	// Addr is the address the listener is bound to (with the port the OS
	// chose, if the port was 0).
	Addr() netip.AddrPort
	// Close stops notifications and closes the socket. After Close
	// returns, Ready is not called again. Closing twice returns ErrClosed.
	Close() error
}

// ListenConfig configures Listen.
type ListenConfig struct {
	// Backlog is the accept queue length; 0 means the OS default
	// (net.core.somaxconn on Linux). The portable Poller always uses the OS
	// default.
	Backlog int
}

// Poller makes sockets and watches them.
type Poller interface {
	// Listen binds and listens on a TCP address ("127.0.0.1:1500",
	// "[::1]:0", ":8080"), with SO_REUSEADDR. network is "tcp", "tcp4" or
	// "tcp6". A bind or listen failure is returned, never swallowed.
	Listen(network, address string, cfg ListenConfig) (Listener, error)
	// Dial connects to a TCP address; name resolution and the connection
	// wait at most until ctx ends, and block only the calling goroutine.
	Dial(ctx context.Context, network, address string) (Conn, error)
	// Close closes the sockets the poller made that are still open (their
	// Ready is not called again, their methods return ErrClosed) and stops
	// the poller's goroutines. Closing again does nothing and returns nil.
	Close() error
}

// IsTemporary reports whether an Accept error is one to retry after a pause
// (descriptor or buffer exhaustion, a connection aborted before it was
// accepted: EMFILE, ENFILE, ECONNABORTED, ENOBUFS, ENOMEM, EINTR, however
// wrapped) rather than a broken listener.
func IsTemporary(err error) bool { return isTemporary(err) }

// PendingError returns the error the kernel holds for c's socket (a reset
// from the peer: ECONNRESET), without reading: a connection whose reader
// has stopped reading, its handler being full, still learns that its peer
// is gone. It returns nil when there is none, or when c cannot tell.
func PendingError(c Conn) error {
	if p, ok := c.(interface{ PendingError() error }); ok {
		return p.PendingError()
	}
	return nil
}

// Unacked returns how many bytes written to c its peer's TCP has not
// acknowledged yet: those still waiting to be written, and those sent and
// not acknowledged (the kernel's SIOCOUTQ). It reports false when c cannot
// tell (not a TCP connection, or not on Linux). A connection closed once
// this is 0, with nothing unread, cannot become a reset that loses what
// the peer was sent.
func Unacked(c Conn) (int, bool) {
	if u, ok := c.(interface{ Unacked() (int, bool) }); ok {
		return u.Unacked()
	}
	return 0, false
}

// A Dispatcher takes an event loop's events in place of the Watchers, so
// that the loop itself can act on them: a scheduler runs the turns of the
// components they wake right there, on the goroutine that found them, with
// no hand-over to another goroutine. Each loop has its own Dispatcher.
//
// Deliver is called instead of w.Ready(ev), under the same rules (it must
// not block, nor call the socket's methods). Flush follows each batch of
// Delivers, outside every socket's lock: the place to act on them.
type Dispatcher interface {
	Deliver(w Watcher, ev Events)
	Flush()
}
