package poll

import (
	"errors"
	"fmt"
	"net"
)

// Detach hands a live connection over from its Poller to blocking I/O, as a
// switch to TLS in the middle of a connection (STARTTLS) needs: wrap the
// net.Conn it returns with tls.Server or tls.Client, handshake, and make a
// Conn of the result again with WrapConn.
//
// Detach stops the notifications to c's Watcher (once it has returned, Ready
// is not called again), takes c away from its Poller, and returns a
// blocking net.Conn for the same socket, with no byte lost either way:
//
//   - input: what c had not yet returned from Read is what the net.Conn
//     reads first. The epoll Conn leaves it in the kernel (its descriptor is
//     duplicated into the net.Conn before it is closed: closing one of a
//     socket's two descriptors neither resets the connection nor drops its
//     input). The portable Conn stops its reader goroutine, and the bytes
//     it had already read come first out of the net.Conn.
//   - output: every byte Writev took has been handed to the kernel when
//     Detach returns. The portable Conn waits for its writer goroutine to
//     write what it holds; if the peer does not read, that wait lasts until
//     the peer does, or until another goroutine closes c (Detach then
//     returns ErrClosed). Call Detach off any component's turn, in a
//     goroutine of its own.
//
// After Detach, c is closed for its owner: its methods return ErrClosed,
// and closing the socket is the net.Conn's business. The net.Conn has no
// deadline set. If Detach fails, c is closed and the error says why;
// detaching a closed Conn returns ErrClosed.
//
// Detach works on the Conns of NewEpoll and NewPortable and on those of
// WrapConn (whose net.Conn is returned, after what its reader held).
func Detach(c Conn) (net.Conn, error) {
	d, ok := c.(detacher)
	if !ok {
		return nil, fmt.Errorf("poll: Detach: %T is not a Conn of package poll: only the Conns of NewEpoll, NewPortable and WrapConn can be handed over", c)
	}
	return d.detach()
}

// detacher is a Conn that Detach can hand over.
type detacher interface {
	detach() (net.Conn, error)
}

// detachedConn is the net.Conn Detach returns when the reader goroutine of
// a portable Conn had read bytes that its owner had not taken: they come
// first, then (after held) err if the reader had met one, else the
// net.Conn's own input.
type detachedConn struct {
	net.Conn
	held []byte
	err  error
}

func (d *detachedConn) Read(p []byte) (int, error) {
	if len(d.held) > 0 {
		if len(p) == 0 {
			return 0, nil
		}
		n := copy(p, d.held)
		d.held = d.held[n:]
		return n, nil
	}
	if d.err != nil {
		return 0, d.err
	}
	return d.Conn.Read(p)
}

// CloseWrite shuts down the writing side, when the net.Conn can.
func (d *detachedConn) CloseWrite() error {
	if cw, ok := d.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("poll: CloseWrite not supported by " + d.Conn.LocalAddr().Network() + " connection")
}

// NetConn returns the connection under the bytes held.
func (d *detachedConn) NetConn() net.Conn { return d.Conn }
