package internet

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// DefaultTLSHandshakeTimeout bounds a TLS client's handshake with a
// server when NewTLSListener is given no timeout: a client that connects and
// never completes its handshake is closed then.
const DefaultTLSHandshakeTimeout = 10 * time.Second

// NewTLSListener returns a poll.Listener over a blocking net.Listener (a
// TLS one, from tls.NewListener): TLS needs blocking I/O, so its connections
// run on Go's netpoller. Each connection's handshake runs on a goroutine of
// its own, within timeout (DefaultTLSHandshakeTimeout when 0), and Accept
// returns only connections whose handshake is done: a client that stalls
// its handshake holds no adapter, no handler, and is closed at the
// timeout. ServerCore uses it for ServerOptions.TLS.
func NewTLSListener(nl net.Listener, timeout time.Duration) poll.Listener {
	l := newTLSListener(nl)
	if timeout > 0 {
		l.handshake = timeout
	}
	return l
}

// tlsListener is a poll.Listener over a blocking net.Listener (a TLS one):
// a goroutine accepts, and hands the connections over through a small
// queue. Each connection is a poll.Conn on Go's netpoller (poll.WrapConn),
// whose handshake happens on its reader goroutine, never on a worker.
type tlsListener struct {
	nl        net.Listener
	handshake time.Duration // bounds each connection's handshake
	addr      netip.AddrPort
	conns     chan net.Conn
	done      chan struct{}
	ctx       context.Context // ends when the listener closes
	stop      context.CancelFunc
	wg        sync.WaitGroup

	mu     sync.Mutex
	err    error
	closed bool
}

func newTLSListener(nl net.Listener) *tlsListener {
	l := &tlsListener{nl: nl, handshake: DefaultTLSHandshakeTimeout, conns: make(chan net.Conn, 16), done: make(chan struct{})}
	l.ctx, l.stop = context.WithCancel(context.Background())
	if ta, ok := nl.Addr().(*net.TCPAddr); ok {
		l.addr = ta.AddrPort()
	}
	return l
}

func (l *tlsListener) Addr() netip.AddrPort { return l.addr }

func (l *tlsListener) Watch(w poll.Watcher) error {
	l.wg.Add(1)
	go l.accept(w)
	return nil
}

// accept accepts until the listener closes. A temporary error (EMFILE,
// ENFILE when descriptors run out; ECONNABORTED) is handed to the next
// Accept, and accepting resumes after a back-off from 5 ms to 1 s, so that
// the listener serves again once descriptors are free; any other error
// ends it.
func (l *tlsListener) accept(w poll.Watcher) {
	defer l.wg.Done()
	var backoff time.Duration
	for {
		c, err := l.nl.Accept()
		if err != nil {
			temporary := poll.IsTemporary(err)
			l.mu.Lock()
			if !l.closed && l.err == nil {
				l.err = err
			}
			l.mu.Unlock()
			w.Ready(poll.Readable)
			if !temporary {
				return
			}
			backoff = min(max(2*backoff, minAcceptBackoff), maxAcceptBackoff)
			select {
			case <-time.After(backoff):
				continue
			case <-l.done:
				return
			}
		}
		backoff = 0
		l.wg.Add(1)
		go l.shake(w, c)
	}
}

// shake completes c's handshake within the listener's timeout, and hands c
// over to Accept; a handshake that fails or stalls closes c.
func (l *tlsListener) shake(w poll.Watcher, c net.Conn) {
	defer l.wg.Done()
	if tc, ok := c.(*tls.Conn); ok {
		ctx, cancel := context.WithTimeout(l.ctx, l.handshake) // Close ends it too
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			_ = c.Close()
			return
		}
	}
	select {
	case l.conns <- c:
		w.Ready(poll.Readable)
	case <-l.done:
		_ = c.Close()
	}
}

// Accept returns a connection the accepting goroutine has made, or the
// error it met: a temporary one once, a lasting one every time.
func (l *tlsListener) Accept() (poll.Conn, error) {
	select {
	case c := <-l.conns:
		return poll.WrapConn(c), nil
	default:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, poll.ErrClosed
	}
	if err := l.err; err != nil {
		if poll.IsTemporary(err) {
			l.err = nil
		}
		return nil, err
	}
	return nil, poll.ErrWouldBlock
}

func (l *tlsListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return poll.ErrClosed
	}
	l.closed = true
	l.mu.Unlock()
	close(l.done)
	l.stop()
	err := l.nl.Close()
	l.wg.Wait()
	for {
		select {
		case c := <-l.conns:
			_ = c.Close()
		default:
			if errors.Is(err, net.ErrClosed) {
				err = nil
			}
			return err
		}
	}
}
