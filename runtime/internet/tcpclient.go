package internet

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// DefaultDialTimeout bounds a TCPClient's connect when Timeout is zero.
const DefaultDialTimeout = 30 * time.Second

// TCPClient makes a TCP connection: what is sent to its "inbox" goes to the
// server, and what the server sends comes out of its "outbox". Kamaelia's
// TCPClient.
//
// Example, send a file to a server and print its answer:
//
//	client := internet.NewTCPClient("127.0.0.1:1500")
//	p := chassis.Pipeline3(util.NewReadFileAdaptor("notes.txt"), client, util.NewConsoleEchoer[[]byte]())
//
// # How does it work?
//
// After Delay, the client resolves the address and connects off the
// runtime's workers (axon.Go), so nothing else waits for the network;
// Timeout bounds both, and a connection made after the client was stopped
// is closed. Bytes sent to "inbox" before the connection is up wait there
// (up to the inbox's capacity, then the sender waits) and are written once
// it is (Kamaelia's B12 dropped them).
// The connection itself is a ConnectedSocketAdapter started as a child.
//
// TLS: with UseTLS set, or after any message on "makessl" that arrives before
// the connection is up (a client whose "makessl" is linked waits for that
// message before it connects), the client connects and completes a TLS
// handshake (off the workers too), verifying the server's certificate against
// the host name, before any byte is sent; "sslready" then carries one
// message. A "makessl" that comes once the connection is up upgrades it
// where it stands (STARTTLS, once the server has agreed in plain text; set
// StartTLS when "makessl" is linked, so that the client connects without
// waiting for it): the client sends its adapter a *TLSUpgrade as the TLS
// client, with TLSConfig (ServerName from the address's host when it names
// none), and passes the adapter's "sslready" on once the handshake is done.
// Send nothing on "inbox" between the "makessl" and "sslready": what the
// adapter has not taken by then waits and goes over TLS. A handshake or
// certificate that fails closes the connection, and the client ends with
// that error. Any later "makessl" is ignored.
//
// A producerFinished on "control" half-closes the connection once what was
// sent has been written, and the client goes on passing on what the server
// answers until the server closes too (within Options.CloseTimeout); a
// shutdownMicroprocess closes it at once, even before it is up. When the server closes its side the client closes too. Either
// way exactly one message leaves "signal" when the client has finished: the
// shutdownMicroprocess it was given, or a producerFinished whose Message is
// the reason (nil for a normal end, the dial or connection error
// otherwise).
type TCPClient struct {
	axon.Component
	In       axon.Inbox[[]byte]       `inbox:"inbox,nohandler"` // bytes to send; kept until the connection is up
	Control  axon.Inbox[axon.Signal]  `inbox:"control"`         // producerFinished: finish sending, then close; shutdownMicroprocess: close now
	MakeSSL  axon.Inbox[string]       `inbox:"makessl"`         // any message: speak TLS (from the start, or from here on once connected)
	Conn     axon.Inbox[axon.Signal]  `inbox:"_csa,nohandler"`  // the adapter's signals
	Out      axon.Outbox[[]byte]      `outbox:"outbox"`         // bytes from the server
	Signal   axon.Outbox[axon.Signal] `outbox:"signal"`         // one message when the client has finished
	SSLReady axon.Outbox[axon.None]   `outbox:"sslready"`       // the TLS handshake is done and the certificate verified
	ToConn   axon.Outbox[axon.Signal] `outbox:"_csacontrol"`    // signals for the adapter
	ToSSL    axon.Outbox[*TLSUpgrade] `outbox:"_csamakessl"`    // the upgrade of a plain connection, for the adapter

	// Delay waits before connecting.
	Delay time.Duration
	// Timeout bounds name resolution and the connect (default
	// DefaultDialTimeout).
	Timeout time.Duration
	// Options apply to the connection.
	Options ConnOptions
	// UseTLS makes the client speak TLS from the start, as a message on
	// "makessl" before the connection is up does.
	UseTLS bool
	// StartTLS is for a protocol that upgrades its connection midway
	// (STARTTLS): the client connects in plain text at once even though
	// its "makessl" is linked, where it would otherwise wait for that
	// message and speak TLS from the first byte. The "makessl" that comes
	// once the server has agreed upgrades the connection.
	StartTLS bool
	// TLSConfig configures TLS (nil: the defaults, with the system's
	// roots). The server's certificate is verified against the host name of
	// the address unless the configuration names another server or skips
	// verification.
	TLSConfig *tls.Config

	poller  poll.Poller
	release func() // lets the shared Selector go
	address string

	dialed bool               // a dial was started
	abort  context.CancelFunc // ends the dial in flight
	dialN  int                // the dial whose result counts; an earlier one's is closed

	csa        *ConnectedSocketAdapter
	wantTLS    bool // makessl came before the connection was up
	connectNow bool // connect at the end of the turn
	awaitSSL   bool // waiting for makessl before connecting
	isTLS      bool
	reason     error       // why the connection ended
	stopSig    axon.Signal // the signal that asked the client to stop
	ended      bool
}

// NewTCPClient returns a client that will connect to address ("host:port")
// once activated, through the shared Selector.
func NewTCPClient(address string) *TCPClient {
	c := (&TCPClient{address: address}).initBoxes()
	// A dial runs with axon.Go; a limit of two keeps control and makessl
	// served while it is in flight (one work would hold the inboxes), and
	// lets a makessl start the TLS dial while the plain one is aborted.
	c.SetGoLimit(2)
	return c
}

// Poller sets the Poller the client uses instead of the shared Selector.
func (c *TCPClient) Poller(p poll.Poller) *TCPClient {
	c.poller = p
	return c
}

// onStart begins connecting, after Delay.
func (c *TCPClient) onStart() {
	if c.poller == nil {
		p, release, err := AcquireSelector()
		if err != nil {
			c.end(err)
			return
		}
		c.poller, c.release = p, release
	}
	if c.Delay > 0 {
		c.WakeAfter(c.Delay)
		return
	}
	// Connect at the end of this turn, once the handlers have seen what
	// waits: a "makessl" sent before the client ran makes it dial TLS from
	// the start, never a plain connection first.
	c.connectNow = true
}

func (c *TCPClient) connect() {
	if !c.UseTLS && !c.wantTLS && !c.StartTLS && c.MakeSSL.Fed() && c.MakeSSL.Len() == 0 {
		// Something will say makessl: wait for it, so that the connection
		// speaks TLS from its first byte.
		c.awaitSSL = true
		return
	}
	if c.UseTLS || c.wantTLS {
		c.wantTLS = true
		c.dialTLS(c.TLSConfig)
		return
	}
	c.dialPlain()
}

// onWake connects once Delay has passed.
func (c *TCPClient) onWake() {
	if !c.dialed && c.csa == nil && !c.ended {
		c.connectNow = true
		c.Notify() // connect at the end of the turn, after the handlers
	}
}

// dial connects with connect off the workers (axon.Go), within Timeout;
// dialed takes the result in a later turn. A later dial (makessl while
// dialing plain) aborts this one, whose connection, if it made one, is
// closed.
func (c *TCPClient) dial(connect func(ctx context.Context) (poll.Conn, error)) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	if c.abort != nil {
		c.abort()
	}
	abort, cancel := context.WithCancel(context.Background())
	c.dialed, c.abort = true, cancel
	c.dialN++
	n := c.dialN
	axon.Go(c, func(ctx context.Context) (poll.Conn, error) {
		ctx, stop := context.WithTimeout(ctx, timeout) // ends too when c stops
		defer stop()
		defer context.AfterFunc(abort, stop)()
		return connect(ctx)
	}, func(conn poll.Conn, err error) { c.connected(n, conn, err) })
}

// dialPlain connects through the client's Poller.
func (c *TCPClient) dialPlain() {
	c.dial(func(ctx context.Context) (poll.Conn, error) { return c.poller.Dial(ctx, "tcp", c.address) })
}

// dialTLS connects and completes a TLS handshake.
func (c *TCPClient) dialTLS(cfg *tls.Config) {
	c.dial(func(ctx context.Context) (poll.Conn, error) { return handshake(ctx, c.address, cfg) })
}

// handshake dials address and speaks TLS over the connection; the
// certificate is verified against the address's host name unless cfg names
// another or skips verification.
func handshake(ctx context.Context, address string, cfg *tls.Config) (poll.Conn, error) {
	cfg, err := clientConfig(address, cfg)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return poll.WrapConn(tc), nil
}

// onMakeSSL switches to TLS: from the first byte if the connection is not
// up yet, from here on (STARTTLS) if it is.
func (c *TCPClient) onMakeSSL(string) {
	switch {
	case c.awaitSSL:
		c.awaitSSL = false
		c.wantTLS = true
		c.connectNow = true // at the end of this turn
	case c.isTLS || c.wantTLS:
	case c.csa == nil:
		c.wantTLS = true
		if c.dialed && !c.ended { // dialing plain: dial again, with TLS
			c.dialTLS(c.TLSConfig)
		}
	default:
		c.isTLS = true // a later makessl is ignored
		cfg, err := clientConfig(c.address, c.TLSConfig)
		if err != nil {
			c.reason = fmt.Errorf("makessl: %w", err)
			c.ToConn.Send(&axon.ShutdownMicroprocess{})
			return
		}
		c.ToSSL.Send(&TLSUpgrade{Config: cfg})
	}
}

// clientConfig returns a copy of cfg (nil: the defaults) whose ServerName is
// the host of address unless cfg names one.
func clientConfig(address string, cfg *tls.Config) (*tls.Config, error) {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		cfg.ServerName = host
	}
	return cfg, nil
}

// onControl handles a stop request.
func (c *TCPClient) onControl(sig axon.Signal) {
	if c.stopSig == nil {
		c.stopSig = sig
	}
	switch {
	case c.csa != nil:
		c.ToConn.Send(sig) // the adapter writes what is queued (or not) and closes
	case sig.StopNow():
		c.end(nil) // not connected: nothing to send
	}
	// A producerFinished before the connection is up waits for it: what
	// was sent is written first.
}

// onTurnEnd connects once the handlers have seen what waits, and reads
// the adapter's signals.
func (c *TCPClient) onTurnEnd() {
	if c.connectNow {
		c.connectNow = false
		if !c.ended && !c.dialed {
			c.connect()
		}
		return
	}
	if c.csa != nil {
		c.watchConn()
	}
}

// connected takes the result of dial number n: it puts an adapter on the
// connection and links it.
func (c *TCPClient) connected(n int, conn poll.Conn, err error) {
	if n != c.dialN || c.ended {
		if conn != nil { // aborted for a TLS dial, or too late
			_ = conn.Close()
		}
		return
	}
	c.abort()
	if err != nil {
		c.end(fmt.Errorf("connecting to %s: %w", c.address, err))
		return
	}
	c.isTLS = c.wantTLS
	opts := c.Options
	opts.KeepReading = true // the server's answer comes after our FIN
	c.csa = NewConnectedSocketAdapter(conn, opts)
	wirings := []axon.Wiring{
		axon.WireIn(&c.In, &c.csa.In),
		axon.WireOut(&c.csa.Out, &c.Out),
		axon.Wire(&c.csa.Signal, &c.Conn),
		axon.Wire(&c.ToConn, &c.csa.Control),
	}
	if !c.isTLS { // a plain connection may be upgraded (STARTTLS)
		wirings = append(wirings,
			axon.Wire(&c.ToSSL, c.csa.MakeSSL()),
			axon.WireOut(c.csa.SSLReady(), &c.SSLReady))
	}
	for _, w := range wirings {
		l, err := w.Link()
		if err != nil {
			_ = conn.Close()
			c.end(fmt.Errorf("wiring the connection: %w", err))
			return
		}
		c.Own(l)
	}
	if err := c.Start(c.csa); err != nil {
		c.end(err)
		return
	}
	if c.isTLS {
		c.SSLReady.Send(axon.None{})
	}
	if c.stopSig != nil { // asked to finish while connecting
		c.ToConn.Send(c.stopSig)
	}
	c.watchConn()
}

// watchConn reads the adapter's signals; it runs each turn once connected.
func (c *TCPClient) watchConn() {
	for {
		sig, ok := c.Conn.TryRecv()
		if !ok {
			return
		}
		if ss, ok := sig.(*SocketShutdown); ok {
			if ss.Err != nil && !ss.HalfClosed() {
				c.reason = ss.Err
			}
			// The server closed its side (close ours), or the connection
			// closed (the adapter waits to be told to stop).
			c.ToConn.Send(&axon.ProducerFinished{Caller: c})
		}
	}
}

// onChildDone ends the client when its connection has ended.
func (c *TCPClient) onChildDone(child *axon.Component, err error) {
	c.watchConn()
	if err != nil && c.reason == nil {
		c.reason = err
	}
	c.end(c.reason)
}

// onStop ends the dial in flight (the runtime waits for it, and closes a
// connection it made too late) and lets the Selector go.
func (c *TCPClient) onStop() {
	if c.abort != nil {
		c.abort()
	}
	if !c.ended {
		c.ended = true
		c.Signal.Send(&axon.ProducerFinished{Caller: c})
	}
	if c.release != nil {
		c.release()
	}
}

// end sends the client's one termination message and stops it.
func (c *TCPClient) end(reason error) {
	if c.ended {
		return
	}
	c.ended = true
	if c.stopSig != nil && c.stopSig.StopNow() {
		c.Signal.Send(c.stopSig)
	} else {
		c.Signal.Send(&axon.ProducerFinished{Caller: c, Message: reason})
	}
	c.Stop()
}
