package chassis

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// listener is what ServerCore and SingleServer share: the listening socket,
// made before activation so that a bind error is returned by the
// constructor; the Selector it is watched by; and the TCPServer that accepts
// on it once the server runs.
type listener struct {
	ln      poll.Listener
	addr    netip.AddrPort
	release func() // lets the shared Selector go
	tcp     *internet.TCPServer
}

// listen binds and listens on address.
func (l *listener) listen(opts ServerOptions, address string) error {
	if opts.TLS != nil {
		// TLS needs blocking I/O: its connections run on Go's netpoller.
		nl, err := net.Listen(opts.Network, address)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", address, err)
		}
		l.ln = internet.NewTLSListener(tls.NewListener(nl, opts.TLS), opts.HandshakeTimeout)
		l.addr = l.ln.Addr()
		return nil
	}
	p := opts.Poller
	if p == nil {
		var err error
		if p, l.release, err = internet.AcquireSelector(); err != nil {
			return err
		}
	}
	ln, err := p.Listen(opts.Network, address, poll.ListenConfig{})
	if err != nil {
		l.letGo()
		return fmt.Errorf("listening on %s: %w", address, err)
	}
	l.ln, l.addr = ln, ln.Addr()
	return nil
}

// startAccepting starts a TCPServer child of owner on the listener,
// announcing connections to conns and stopped through control.
func (l *listener) startAccepting(owner *axon.Component, opts internet.ConnOptions, conns *axon.Inbox[*internet.NewConnection], control *axon.Outbox[axon.Signal]) error {
	l.tcp = internet.NewTCPServer(l.ln, opts)
	for _, w := range []axon.Wiring{
		axon.Wire(&l.tcp.Conns, conns),
		axon.Wire(control, &l.tcp.Control),
	} {
		ln, err := w.Link()
		if err != nil {
			return err
		}
		owner.Own(ln)
	}
	return owner.Start(l.tcp)
}

// stopListening closes the listener if no TCPServer took it, and lets the
// Selector go.
func (l *listener) stopListening() {
	if l.tcp == nil {
		_ = l.ln.Close()
	}
	l.letGo()
}

func (l *listener) letGo() {
	if l.release != nil {
		l.release()
		l.release = nil
	}
}
