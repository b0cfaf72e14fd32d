package internet

import (
	"context"
	"fmt"
	"sync"
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
// After Delay, the client resolves the address and connects in a goroutine
// of its own, so nothing else waits for the network; Timeout bounds both.
// Bytes sent to "inbox" before the connection is up wait there (up to the
// inbox's capacity, then the sender waits) and are written once it is (B12).
// The connection itself is a ConnectedSocketAdapter started as a child.
//
// A producerFinished on "control" closes the connection after what was sent
// has been written; a shutdownMicroprocess closes it at once, even before
// it is up. When the server closes its side the client closes too. Either
// way exactly one message leaves "signal" when the client has finished: the
// shutdownMicroprocess it was given, or a producerFinished whose Message is
// the reason (nil for a normal end, the dial or connection error
// otherwise).
type TCPClient struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,nohandler"` // bytes to send; kept until the connection is up
	Control axon.Inbox[axon.Signal]  `inbox:"control"`         // producerFinished: finish sending, then close; shutdownMicroprocess: close now
	Conn    axon.Inbox[axon.Signal]  `inbox:"_csa,nohandler"`  // the adapter's signals
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`         // bytes from the server
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`         // one message when the client has finished
	ToConn  axon.Outbox[axon.Signal] `outbox:"_csacontrol"`    // signals for the adapter

	// Delay waits before connecting.
	Delay time.Duration
	// Timeout bounds name resolution and the connect (default
	// DefaultDialTimeout).
	Timeout time.Duration
	// Options apply to the connection.
	Options ConnOptions

	poller  poll.Poller
	release func() // lets the shared Selector go
	address string

	mu      sync.Mutex // guards dialed, dialErr between the dialer and the turns
	dialed  poll.Conn
	dialErr error
	cancel  context.CancelFunc
	dialing sync.WaitGroup

	csa     *ConnectedSocketAdapter
	reason  error       // why the connection ended
	stopSig axon.Signal // the signal that asked the client to stop
	ended   bool
}

// NewTCPClient returns a client that will connect to address ("host:port")
// once activated, through the shared Selector.
func NewTCPClient(address string) *TCPClient {
	return (&TCPClient{address: address}).InitBoxes()
}

// Poller sets the Poller the client uses instead of the shared Selector.
func (c *TCPClient) Poller(p poll.Poller) *TCPClient {
	c.poller = p
	return c
}

// OnStart begins connecting, after Delay.
func (c *TCPClient) OnStart() {
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
	c.dial()
}

// OnWake connects once Delay has passed.
func (c *TCPClient) OnWake() {
	if c.cancel == nil && c.csa == nil && !c.ended {
		c.dial()
	}
}

func (c *TCPClient) dial() {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	c.cancel = cancel
	c.dialing.Add(1)
	go func() {
		defer c.dialing.Done()
		conn, err := c.poller.Dial(ctx, "tcp", c.address)
		c.mu.Lock()
		c.dialed, c.dialErr = conn, err
		c.mu.Unlock()
		c.Notify()
	}()
}

// OnControl handles a stop request.
func (c *TCPClient) OnControl(sig axon.Signal) {
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

// OnTurnEnd connects the adapter once the dial has finished.
func (c *TCPClient) OnTurnEnd() {
	if c.csa != nil {
		c.watchConn()
		return
	}
	if c.ended || c.cancel == nil {
		return
	}
	c.mu.Lock()
	conn, err := c.dialed, c.dialErr
	c.mu.Unlock()
	if conn == nil && err == nil {
		return // still dialing
	}
	c.cancel()
	if err != nil {
		c.end(fmt.Errorf("connecting to %s: %w", c.address, err))
		return
	}
	c.csa = NewConnectedSocketAdapter(conn, c.Options)
	for _, w := range []axon.Wiring{
		axon.WireIn(&c.In, &c.csa.In),
		axon.WireOut(&c.csa.Out, &c.Out),
		axon.Wire(&c.csa.Signal, &c.Conn),
		axon.Wire(&c.ToConn, &c.csa.Control),
	} {
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
			if !ss.Closed { // the server closed its side: close ours
				c.ToConn.Send(axon.Finished(c))
			}
		}
	}
}

// OnChildDone ends the client when its connection has ended.
func (c *TCPClient) OnChildDone(child *axon.Component, err error) {
	c.watchConn()
	if err != nil && c.reason == nil {
		c.reason = err
	}
	c.end(c.reason)
}

// OnStop makes sure the dialer is gone and the dialed socket closed.
func (c *TCPClient) OnStop() {
	if c.cancel != nil {
		c.cancel()
	}
	c.dialing.Wait()
	c.mu.Lock()
	conn := c.dialed
	c.mu.Unlock()
	if conn != nil && c.csa == nil {
		_ = conn.Close()
	}
	if !c.ended {
		c.ended = true
		c.Signal.Send(axon.Finished(c))
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
