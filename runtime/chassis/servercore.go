package chassis

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/netip"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/links"
	"github.com/kamgen/kamgen/runtime/internal/loop"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// Factory makes the protocol handler of one connection. ServerCore calls it
// with the client's address and port and the server's, as Kamaelia's
// ServerCore calls its protocol factory. Handler makes one from a
// handler's constructor.
type Factory func(peer string, peerport int, localip string, localport int) axon.Stage[[]byte, []byte]

// Handler makes the Factory of a protocol handler from its constructor:
// for each connection it calls newHandler and, when the handler has fields
// tagged kam:"peer", "peerport", "localip" or "localport" (kamgen then
// generates its SetConn), fills them with the connection's addresses.
// Kamaelia's SimpleServer(protocol=Echo) is
//
//	chassis.NewServerCore(addr, chassis.Handler(NewEcho), chassis.ServerOptions{})
//
// and a handler that shares something with the others is made by a
// closure:
//
//	chassis.Handler(func() *Chatty { return NewChatty(chain) })
func Handler[H axon.Stage[[]byte, []byte]](newHandler func() H) Factory {
	return func(peer string, peerport int, localip string, localport int) axon.Stage[[]byte, []byte] {
		h := newHandler()
		if c, ok := any(h).(connSetter); ok {
			c.SetConn(peer, peerport, localip, localport)
		}
		return h
	}
}

// connSetter is a handler with connection fields: kamgen generates SetConn
// for it.
type connSetter interface {
	SetConn(peer string, peerport int, localip string, localport int)
}

// ServerSignaller is a protocol handler with a "serversignal" outbox: a
// internet.ServerShutdown sent there stops the whole server (the cookbook's example
// 6). kamgen generates StdServerSignal for a component with that outbox.
type ServerSignaller interface {
	StdServerSignal() *axon.Outbox[axon.Signal]
}

// TLSUpgrader is a protocol handler that switches its connection to TLS
// midway (STARTTLS): ServerCore links its "makessl" outbox to the
// connection adapter's "makessl" inbox, and the adapter's "sslready" outbox
// to its "sslready" inbox. The handler sends its plain answer to the
// client's STARTTLS, then an *internet.TLSUpgrade with Server set and a
// certificate in Config (the answer may go in its Plain field); axon.None{}
// on "sslready" says the handshake is done, and the bytes on "inbox" and
// "outbox" are then those inside TLS. kamgen generates these two methods
// for a component with an outbox "makessl" of *internet.TLSUpgrade and an
// inbox "sslready" of axon.None (docs/tags.md, Optional standard boxes).
type TLSUpgrader interface {
	StdMakeSSL() *axon.Outbox[*internet.TLSUpgrade]
	StdSSLReady() *axon.Inbox[axon.None]
}

// DefaultHandlerGrace is how long a handler may run after its connection
// closed before ServerCore stops it.
const DefaultHandlerGrace = 5 * time.Second

// DefaultIdleTimeout is how long a server's connection may carry nothing,
// either way, before ServerCore closes it (ServerOptions.Conn.IdleTimeout;
// a negative one means none): a client that connects and goes silent does
// not hold a descriptor and a handler for ever.
const DefaultIdleTimeout = 10 * time.Minute

// ServerOptions configure ServerCore. Durations of zero mean no limit, as in
// net/http, except where a default is named.
type ServerOptions struct {
	// Conn applies to every connection: timeouts, read chunk, byte budget.
	// Its IdleTimeout defaults to DefaultIdleTimeout (10 minutes); a
	// negative one means none.
	Conn internet.ConnOptions
	// MaxConns is the most connections served at once; 0 means no limit.
	// At the limit the server stops accepting, and clients wait in the
	// listen backlog until a connection closes.
	MaxConns int
	// HandlerGrace is how long a handler may run after its client closed
	// its side (a half-close: the handler may still answer), before it is
	// stopped (default DefaultHandlerGrace): a handler that ignores its
	// control inbox cannot leak (Kamaelia's L4: it never stopped them).
	// Once the connection itself has closed (a reset, an error, a
	// timeout), nothing the handler holds can be answered: it is stopped
	// 100 ms after, every stage of it, however much data it has queued.
	HandlerGrace time.Duration
	// TLS, when set, makes every connection a TLS server connection.
	TLS *tls.Config
	// HandshakeTimeout bounds a TLS client's handshake (default
	// internet.DefaultTLSHandshakeTimeout, 10 s): a client that connects
	// and stalls is closed then, and costs no handler meanwhile.
	HandshakeTimeout time.Duration
	// Poller is the Selector to use; nil means the shared one.
	Poller poll.Poller
	// Network is "tcp" (default), "tcp4" or "tcp6".
	Network string
}

// notices is the capacity of ServerCore's "_socketactivity" inbox: as large
// as a box may be. An adapter sends it at most two notices (input ended,
// closed), so the connections bound it; an adapter never waits to send
// one. With a smaller inbox, the notices of a mass close (thousands of
// connections closed at once) queued in every adapter, and each notice
// handled woke all of them to try again.
const notices = 1 << 30

// ServerCore is a TCP server built from a protocol handler factory: for
// each connection it makes a handler with the factory and links it to the
// connection's adapter. Kamaelia's ServerCore (and, with Handler,
// SimpleServer).
//
// Example: an echo server.
//
//	srv, err := chassis.NewServerCore("127.0.0.1:1500", chassis.Handler(NewEcho), chassis.ServerOptions{})
//	if err != nil {
//		return err // the port is taken, say
//	}
//	return axon.Run(ctx, srv)
//
// # How does it work?
//
// The listening socket is made by the constructor, so a bind or listen
// failure is returned there (Kamaelia's B6 swallowed it). Once activated, an internet.TCPServer child accepts
// connections; for each, ServerCore calls the factory and links the
// handler's standard boxes to the connection's internet.ConnectedSocketAdapter:
// bytes from the client arrive on the handler's "inbox", what it sends on
// its "outbox" goes to the client, a producerFinished or
// shutdownMicroprocess on its "signal" closes the connection (after writing
// what it sent), and a *internet.SocketShutdown on its "control" tells it the
// connection has ended. A handler that is still running HandlerGrace after
// its connection closed is stopped. A handler that panics or fails closes
// its own connection only; the failure is logged and the server lives on.
//
// A handler that is a TLSUpgrader can switch its connection to TLS midway
// (STARTTLS): ServerCore links its "makessl" and "sslready" boxes to the
// adapter's too.
//
// A internet.ServerShutdown on a handler's "serversignal" outbox, or any
// signal on ServerCore's "control", or Shutdown, stops the server
// gracefully: it stops accepting, and each connection's adapter delivers
// what its client had sent, then tells the handler its input has ended (a
// *internet.SocketShutdown with internet.ErrServerStopping, which reports
// HalfClosed), so that the handler answers it all and closes, as after a
// client's half-close. The server finishes when every connection has been
// closed and every handler has finished. Stop ends it at once.
type ServerCore struct {
	axon.Component
	Control  axon.Inbox[axon.Signal]             `inbox:"control"`                     // any signal stops the server gracefully
	Conns    axon.Inbox[*internet.NewConnection] `inbox:"_newconns,cap=8"`             // connections from the TCPServer
	Server   axon.Inbox[axon.Signal]             `inbox:"serversignal,cap=8"`          // handlers' "serversignal": an internet.ServerShutdown stops the server
	Sockets  axon.Inbox[axon.Signal]             `inbox:"_socketactivity,cap=notices"` // the adapters' signals, passed on to their handlers
	Signal   axon.Outbox[axon.Signal]            `outbox:"signal"`                     // the signal that stopped the server, when it has stopped
	toServer axon.Outbox[axon.Signal]            `outbox:"_tcpservercontrol"`          // stops the TCPServer

	factory Factory
	listener
	opts    ServerOptions
	conns   map[*axon.Component]*served
	live    atomic.Int64
	stopSig axon.Signal
	waiting []*internet.NewConnection // accepted while at MaxConns
	clock   time.Time                 // the zero of the deadlines (monotonic)
	grace   graceQueue                // handler deadlines after their input ended (HandlerGrace)
	closing graceQueue                // handler deadlines after their connection closed (closedGrace)
	capSet  map[reflect.Type]bool     // handler types whose "inbox" tag sets a capacity
	warns   rateLog                   // warnings about one connection among many, at most one a second
}

// served is one connection: its adapter and handler, and the links
// between them.
type served struct {
	csa     *internet.ConnectedSocketAdapter
	handler axon.Stage[[]byte, []byte]
	// deadline is when a handler outliving its connection is stopped, on
	// the server's clock (ServerCore.since); zero when none is set.
	deadline time.Duration
	csaDone  bool
	hDone    bool
}

// closedGrace is how long a handler may run once its connection has
// closed (a reset, an error, a timeout, the client gone): its replies can
// no longer be written, and what waits in its boxes can never be
// answered, so it is stopped then, every stage of it, however much data
// it has queued. A handler whose input ended while its connection stays
// open (a half-close) has HandlerGrace.
const closedGrace = 100 * time.Millisecond

// graceEntry is a deadline set for a handler, in the order they were set.
type graceEntry struct {
	c  *served
	at time.Duration
}

// graceQueue holds deadlines of one duration, in the order they were set,
// which is then the deadlines' order: the server looks at the first ones
// only. An entry whose connection has since been given another deadline,
// or whose handler has finished, is dropped when it comes up.
type graceQueue struct {
	entries []graceEntry
	at      int
}

func (q *graceQueue) push(e graceEntry) { q.entries = append(q.entries, e) }

// head returns the first entry that still holds, dropping those that do
// not.
func (q *graceQueue) head() (graceEntry, bool) {
	for q.at < len(q.entries) {
		e := q.entries[q.at]
		if !e.c.hDone && e.c.deadline == e.at {
			return e, true
		}
		q.pop()
	}
	return graceEntry{}, false
}

func (q *graceQueue) pop() {
	q.entries[q.at] = graceEntry{}
	q.at++
	if q.at == len(q.entries) {
		q.entries, q.at = q.entries[:0], 0
	} else if q.at > 64 && q.at > len(q.entries)/2 {
		n := copy(q.entries, q.entries[q.at:])
		clear(q.entries[n:])
		q.entries, q.at = q.entries[:n], 0
	}
}

// NewServerCore listens on address ("127.0.0.1:1500", "[::1]:0", ":8080")
// and returns the server, to be activated. A bind or listen error is
// returned here.
func NewServerCore(address string, factory Factory, opts ServerOptions) (*ServerCore, error) {
	if factory == nil {
		return nil, errors.New("chassis: NewServerCore: nil factory")
	}
	if opts.HandlerGrace <= 0 {
		opts.HandlerGrace = DefaultHandlerGrace
	}
	switch {
	case opts.Conn.IdleTimeout == 0:
		opts.Conn.IdleTimeout = DefaultIdleTimeout
	case opts.Conn.IdleTimeout < 0:
		opts.Conn.IdleTimeout = 0
	}
	if opts.Network == "" {
		opts.Network = "tcp"
	}
	s := &ServerCore{factory: factory, opts: opts, conns: map[*axon.Component]*served{}, clock: time.Now()}
	if err := s.listen(s.opts, address); err != nil {
		return nil, err
	}
	return s.initBoxes(), nil
}

// Addr returns the address the server listens on, with the port the OS
// chose if the address asked for port 0.
func (s *ServerCore) Addr() netip.AddrPort { return s.addr }

// Connections returns how many connections are being served.
func (s *ServerCore) Connections() int { return int(s.live.Load()) }

// Close releases the listening socket of a server that was never
// activated. An activated server is stopped with Shutdown, Stop or a signal.
func (s *ServerCore) Close() error {
	if s.Runtime() != nil {
		return errors.New("chassis: Close on an activated ServerCore: use Shutdown")
	}
	err := s.ln.Close()
	s.letGo()
	return err
}

// Shutdown stops the server gracefully (see ServerCore): it stops
// accepting, has every handler answer what its client had sent, and waits
// until every connection has closed and every handler has finished, or ctx
// ends; then whatever is left is stopped at once and ctx's error is
// returned. axon.Run calls it when its context ends.
func (s *ServerCore) Shutdown(ctx context.Context) error {
	if err := s.Control.Deliver(&internet.ServerShutdown{}); err != nil && !s.Finished() {
		s.Stop() // the control inbox is full of signals already: stop now
	}
	select {
	case <-s.Done():
		return nil
	case <-ctx.Done():
		s.Stop()
		<-s.Done()
		return ctx.Err()
	}
}

// onStart starts accepting.
func (s *ServerCore) onStart() {
	if err := s.startAccepting(&s.Component, s.opts.Conn, &s.Conns, &s.toServer); err != nil {
		s.Fail(err)
	}
}

// onConns serves a new connection, or keeps it waiting at MaxConns.
func (s *ServerCore) onConns(nc *internet.NewConnection) {
	if s.stopSig != nil {
		// Accepted before the listener closed: its client may have sent
		// requests already, and is answered as the others are.
		s.serve(nc)
		if c := s.conns[nc.CSA.Base()]; c != nil {
			s.finish(c, s.stopSig)
		}
		return
	}
	if s.opts.MaxConns > 0 && int(s.live.Load()) >= s.opts.MaxConns {
		s.waiting = append(s.waiting, nc)
		s.limit()
		return
	}
	s.serve(nc)
}

func (s *ServerCore) serve(nc *internet.NewConnection) {
	peer, local := nc.Peer, nc.Local
	h := s.newHandler(peer, local)
	if h == nil {
		_ = nc.CSA.Discard()
		return
	}
	c := &served{csa: nc.CSA, handler: h}
	s.boundInbox(h)
	// The adapter and the handler finish together: their links need no
	// handle. The links into the server's own inboxes are removed when the
	// connection is done.
	err := errors.Join(
		links.Join(&c.csa.Out, h.StdInbox()),
		links.Join(h.StdOutbox(), &c.csa.In),
		links.Join(h.StdSignal(), &c.csa.Control),
		links.Join(&c.csa.Signal, &s.Sockets),
	)
	if ss, ok := h.(ServerSignaller); ok && err == nil {
		err = links.Join(ss.StdServerSignal(), &s.Server)
	}
	if u, ok := h.(TLSUpgrader); ok && err == nil {
		// Links between the handler and its adapter, like the four above:
		// they end with the connection.
		err = errors.Join(
			links.Join(u.StdMakeSSL(), c.csa.MakeSSL()),
			links.Join(c.csa.SSLReady(), u.StdSSLReady()),
		)
	}
	if err != nil {
		s.warns.warn(s.Log(), slog.LevelError, "wiring a connection", "peer", peer, "err", err)
		s.unlink(c)
		_ = nc.CSA.Discard()
		return
	}
	if err := loop.StartHere(s, c.csa, h); err != nil { // their first turns run here, after this one: a new client does not wait for a worker
		s.warns.warn(s.Log(), slog.LevelError, "starting a connection", "peer", peer, "err", err)
		s.unlink(c)
		return
	}
	s.conns[c.csa.Base()] = c
	s.conns[h.Base()] = c
	s.live.Add(1)
	s.limit()
}

// newHandler calls the factory; a factory that panics or returns nil costs
// the connection, not the server.
func (s *ServerCore) newHandler(peer, local netip.AddrPort) (h axon.Stage[[]byte, []byte]) {
	defer func() {
		if r := recover(); r != nil {
			s.warns.warn(s.Log(), slog.LevelError, "protocol factory panicked", "peer", peer, "panic", r)
			h = nil
		}
	}()
	h = s.factory(peer.Addr().Unmap().String(), int(peer.Port()), local.Addr().Unmap().String(), int(local.Port()))
	if h == nil {
		s.warns.warn(s.Log(), slog.LevelError, "protocol factory returned nil", "peer", peer)
	}
	return h
}

// handlerInbox is the capacity ServerCore gives a handler's "inbox" when
// its tag sets none: with chunks of up to MaxReadChunk, it bounds what a
// handler that falls behind holds.
const handlerInbox = 8

// boundInbox gives the handler's "inbox" the capacity handlerInbox, unless
// its tag set one. What each handler type's tag says is looked up once.
func (s *ServerCore) boundInbox(h axon.Stage[[]byte, []byte]) {
	t := reflect.TypeOf(h)
	chose, ok := s.capSet[t]
	if !ok {
		if d, isD := h.(axon.Described); isD {
			for _, b := range d.BoxTable() {
				if b.Dir == axon.In && b.Name == "inbox" && b.Cap != 0 {
					chose = true
				}
			}
		}
		if s.capSet == nil {
			s.capSet = map[reflect.Type]bool{}
		}
		s.capSet[t] = chose
	}
	if !chose {
		h.StdInbox().SetCap(handlerInbox)
	}
}

// limit serves the connections kept waiting while there is room, and
// pauses accepting at MaxConns: further clients wait in the kernel's
// backlog, costing the server nothing.
func (s *ServerCore) limit() {
	if s.opts.MaxConns <= 0 || s.tcp == nil {
		return
	}
	for len(s.waiting) > 0 && int(s.live.Load()) < s.opts.MaxConns && s.stopSig == nil {
		nc := s.waiting[0]
		s.waiting = s.waiting[1:]
		s.serve(nc)
	}
	s.tcp.Pause(int(s.live.Load())+len(s.waiting) >= s.opts.MaxConns)
}

// onSockets passes an adapter's signal to its handler. When the client has
// closed, the handler has HandlerGrace to finish before it is stopped (Kamaelia's L4: it never was).
func (s *ServerCore) onSockets(sig axon.Signal) {
	ss, ok := sig.(*internet.SocketShutdown)
	if !ok || ss.Conn == nil {
		return
	}
	c := s.conns[ss.Conn.Base()]
	if c == nil || c.hDone {
		return
	}
	if err := c.handler.StdControl().Deliver(sig); err != nil {
		c.handler.Base().Stop() // its control inbox is full: it does not listen
		return
	}
	switch {
	case ss.Closed:
		s.startClosedGrace(c)
	case c.deadline == 0 && !errors.Is(ss.Err, internet.ErrServerStopping):
		// A half-close: the handler may still answer, within HandlerGrace.
		// A graceful stop's handler answers what it was sent within the
		// context given to Shutdown instead.
		s.startGrace(c)
	}
}

// onServer stops the server when a handler asks it to.
func (s *ServerCore) onServer(sig axon.Signal) {
	if _, ok := sig.(*internet.ServerShutdown); ok {
		s.shutdown(sig)
	}
}

// onControl stops the server gracefully.
func (s *ServerCore) onControl(sig axon.Signal) { s.shutdown(sig) }

func (s *ServerCore) shutdown(sig axon.Signal) {
	if s.stopSig != nil {
		return
	}
	s.stopSig = sig
	s.toServer.Send(sig) // the TCPServer closes the listener
	for _, nc := range s.waiting {
		_ = nc.CSA.Discard()
	}
	s.waiting = nil
	for comp, c := range s.conns {
		if comp == c.handler.Base() && !c.hDone {
			s.finish(c, sig)
		}
	}
	s.finishIfDone()
}

// finish ends a connection gracefully as its server stops: its adapter
// delivers what the client had sent, then tells the handler its input has
// ended (internet.ErrServerStopping), and the handler answers it all and
// closes, as after a client's half-close. The context given to Shutdown
// bounds how long that may take; HandlerGrace counts once the connection
// has closed.
func (s *ServerCore) finish(c *served, sig axon.Signal) {
	switch {
	case c.csaDone: // the handler was told its connection closed, and has its grace
	case c.csa.Control.Deliver(&internet.StopReading{}) == nil:
	case c.handler.StdControl().Deliver(sig) != nil:
		c.handler.Base().Stop()
	default:
		s.startGrace(c) // told to stop like a client's request: the grace counts now
	}
}

// onChildDone keeps track of connections as their parts finish.
func (s *ServerCore) onChildDone(child *axon.Component, err error) {
	if s.tcp != nil && child == s.tcp.Base() {
		if err != nil && s.stopSig == nil {
			s.Log().Error("the listener failed", "err", err)
			s.shutdown(&axon.ShutdownMicroprocess{})
		}
		s.finishIfDone()
		return
	}
	c := s.conns[child]
	if c == nil {
		return
	}
	switch child {
	case c.csa.Base():
		c.csaDone = true
		if !c.hDone {
			// The handler got a *internet.SocketShutdown; the connection is
			// gone, and so is the point of what it has queued.
			s.startClosedGrace(c)
		}
	case c.handler.Base():
		c.hDone = true
		if err != nil {
			s.warns.warn(s.Log(), slog.LevelWarn, "protocol handler failed; closing its connection", "peer", c.csa.Peer(), "err", err)
		}
		if !c.csaDone {
			if err != nil || c.csa.Control.Deliver(&axon.ProducerFinished{Caller: child}) != nil {
				c.csa.Stop()
			}
		}
	}
	if c.csaDone && c.hDone {
		s.unlink(c)
		delete(s.conns, c.csa.Base())
		delete(s.conns, c.handler.Base())
		s.live.Add(-1)
		s.limit()
	}
	s.finishIfDone()
}

// unlink removes the links into the server's own inboxes, which would
// otherwise keep a finished connection's boxes alive.
func (s *ServerCore) unlink(c *served) {
	links.Unjoin(&c.csa.Signal)
	if ss, ok := c.handler.(ServerSignaller); ok {
		links.Unjoin(ss.StdServerSignal())
	}
}

// startGrace gives c's handler HandlerGrace from now to finish.
func (s *ServerCore) startGrace(c *served) {
	c.deadline = time.Since(s.clock) + s.opts.HandlerGrace
	s.grace.push(graceEntry{c, c.deadline})
	s.armGrace()
}

// startClosedGrace gives the handler of a connection that has closed
// closedGrace (or HandlerGrace, if shorter) to finish.
func (s *ServerCore) startClosedGrace(c *served) {
	d := min(closedGrace, s.opts.HandlerGrace)
	at := time.Since(s.clock) + d
	if c.deadline != 0 && c.deadline <= at {
		return // it has an earlier one
	}
	c.deadline = at
	s.closing.push(graceEntry{c, at})
	s.armGrace()
}

// armGrace wakes the server at the earliest deadline that still holds.
func (s *ServerCore) armGrace() {
	next, ok := s.grace.head()
	if e, ok2 := s.closing.head(); ok2 && (!ok || e.at < next.at) {
		next, ok = e, true
	}
	if ok {
		s.WakeAfter(max(next.at-time.Since(s.clock), time.Millisecond))
	}
}

// onWake stops the handlers whose grace has run out (Kamaelia's L4: it never stopped them).
func (s *ServerCore) onWake() {
	now := time.Since(s.clock)
	for _, q := range []*graceQueue{&s.grace, &s.closing} {
		for {
			e, ok := q.head()
			if !ok || e.at > now {
				break
			}
			q.pop()
			c := e.c
			s.warns.warn(s.Log(), slog.LevelWarn, "stopping a protocol handler that outlived its connection", "peer", c.csa.Peer())
			c.handler.Base().Stop()
			if !c.csaDone {
				c.csa.Stop()
			}
		}
	}
	s.armGrace()
}

func (s *ServerCore) finishIfDone() {
	if s.stopSig == nil || len(s.conns) > 0 || (s.tcp != nil && !s.tcp.Finished()) {
		return
	}
	s.Signal.Send(s.stopSig)
	s.Stop()
}

// onStop closes the listener if no TCPServer took it, and lets the
// Selector go.
func (s *ServerCore) onStop() {
	s.stopListening()
	s.warns.close(s.Log())
}
