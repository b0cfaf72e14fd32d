package chassis

import (
	"net/netip"
	"sync/atomic"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// SingleServer serves one TCP connection at a time and is itself the
// protocol's end: what the client sends comes out of its "outbox", and what
// is sent to its "inbox" goes to the client. Kamaelia's SingleServer, used
// to put a component on the network without a handler per connection.
//
// Example: a console for whoever connects.
//
//	srv, err := chassis.NewSingleServer("127.0.0.1:1601", chassis.ServerOptions{})
//	p := chassis.Pipeline3(util.NewConsoleReader(), srv, util.NewConsoleEchoer[[]byte]())
//
// # How does it work?
//
// The listener is made by the constructor (a bind error is returned there).
// When a client connects, its ConnectedSocketAdapter is linked to the
// server's own boxes by passthroughs, and accepting pauses: further clients
// wait in the listen backlog until this one has gone. Bytes sent to "inbox"
// while no client is connected wait there, and go to the next client;
// bytes sent as a client leaves may go to it and be lost with its
// connection.
// Every message is handled as it comes (Kamaelia's SingleServer handled one
// message per wake and could stall: its limitation L7). Any signal on "control" closes the
// current connection after what was sent to it, closes the listener, is
// forwarded on "signal", and stops the server, with or without a client
// (Kamaelia's raised when it had none).
type SingleServer struct {
	axon.Component
	In       axon.Inbox[[]byte]                  `inbox:"inbox,nohandler"`    // bytes for the client; they wait for one
	Control  axon.Inbox[axon.Signal]             `inbox:"control"`            // any signal: close, stop listening, stop
	Conns    axon.Inbox[*internet.NewConnection] `inbox:"_newconns,cap=1"`    // connections from the TCPServer
	Sockets  axon.Inbox[axon.Signal]             `inbox:"_socketactivity"`    // the connection's signals
	Out      axon.Outbox[[]byte]                 `outbox:"outbox"`            // bytes from the client
	Signal   axon.Outbox[axon.Signal]            `outbox:"signal"`            // the signal that stopped it
	toConn   axon.Outbox[axon.Signal]            `outbox:"_csacontrol"`       // closes the connection
	toServer axon.Outbox[axon.Signal]            `outbox:"_tcpservercontrol"` // stops the TCPServer

	listener
	opts      ServerOptions
	csa       *internet.ConnectedSocketAdapter
	links     []*axon.Linkage
	stopSig   axon.Signal
	connected atomic.Bool
	served    atomic.Int64
}

// NewSingleServer listens on address and returns the server, to be
// activated. TLS and MaxConns in opts do not apply.
func NewSingleServer(address string, opts ServerOptions) (*SingleServer, error) {
	if opts.Network == "" {
		opts.Network = "tcp"
	}
	opts.TLS = nil // does not apply
	s := &SingleServer{opts: opts}
	if err := s.listen(opts, address); err != nil {
		return nil, err
	}
	return s.initBoxes(), nil
}

// Addr returns the address the server listens on.
func (s *SingleServer) Addr() netip.AddrPort { return s.addr }

// Served returns how many clients the server has served, counting the
// one it serves now.
func (s *SingleServer) Served() int64 { return s.served.Load() }

// Connected reports whether a client is being served; for tests and
// monitoring.
func (s *SingleServer) Connected() bool { return s.connected.Load() }

// onStart starts accepting.
func (s *SingleServer) onStart() {
	if err := s.startAccepting(&s.Component, s.opts.Conn, &s.Conns, &s.toServer); err != nil {
		s.Fail(err)
	}
}

// onConns serves a connection; accepting pauses until it has gone.
func (s *SingleServer) onConns(nc *internet.NewConnection) {
	if s.csa != nil || s.stopSig != nil {
		_ = nc.CSA.Discard()
		return
	}
	s.tcp.Pause(true)
	csa := nc.CSA
	for _, w := range []axon.Wiring{
		axon.WireIn(&s.In, &csa.In),
		axon.WireOut(&csa.Out, &s.Out),
		axon.Wire(&csa.Signal, &s.Sockets),
		axon.Wire(&s.toConn, &csa.Control),
	} {
		l, err := w.Link()
		if err != nil {
			s.unlink()
			_ = csa.Discard()
			s.tcp.Pause(false)
			s.Log().Error("wiring a connection", "peer", nc.Peer, "err", err)
			return
		}
		s.links = append(s.links, l)
	}
	if err := s.Start(csa); err != nil {
		s.unlink()
		s.tcp.Pause(false)
		return
	}
	s.csa = csa
	s.connected.Store(true)
	s.served.Add(1)
}

// onSockets closes the connection once the client has closed its side.
func (s *SingleServer) onSockets(sig axon.Signal) {
	// The client closed its side (close ours), or the connection closed
	// (the adapter waits to be told to stop). A signal of a connection
	// served before may still wait here when the next one is served: it
	// says nothing of the current one, which it must not close.
	if ss, ok := sig.(*internet.SocketShutdown); ok && s.csa != nil && ss.Conn == s.csa {
		s.toConn.Send(&axon.ProducerFinished{Caller: s})
	}
}

// onControl closes the connection and the listener, then stops.
func (s *SingleServer) onControl(sig axon.Signal) {
	if s.stopSig != nil {
		return
	}
	s.stopSig = sig
	s.toServer.Send(sig)
	if s.csa != nil {
		s.toConn.Send(sig)
	}
	s.finishIfDone()
}

// onChildDone serves the next client when one has gone.
func (s *SingleServer) onChildDone(child *axon.Component, err error) {
	if s.csa != nil && child == s.csa.Base() {
		s.unlink()
		s.csa = nil
		s.connected.Store(false)
		if s.stopSig == nil {
			s.tcp.Pause(false)
		}
	}
	s.finishIfDone()
}

func (s *SingleServer) unlink() {
	for _, l := range s.links {
		l.Unlink()
	}
	s.links = nil
}

func (s *SingleServer) finishIfDone() {
	if s.stopSig == nil || s.csa != nil || (s.tcp != nil && !s.tcp.Finished()) {
		return
	}
	s.Signal.Send(s.stopSig)
	s.Stop()
}

// onStop closes the listener if no TCPServer took it, and lets the
// Selector go.
func (s *SingleServer) onStop() { s.stopListening() }
