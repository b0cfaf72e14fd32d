package internet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/links"
	"github.com/kamgen/kamgen/runtime/internal/loop"
	"github.com/kamgen/kamgen/runtime/internal/meter"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// Defaults of ConnOptions.
const (
	DefaultMaxReadChunk = 64 << 10
	// DefaultBudget is a connection's byte budget (ConnOptions.Budget).
	DefaultBudget       = 64 << 10
	DefaultCloseTimeout = 10 * time.Second
	readsPerTurn        = 16
	// poolRetry is how often an adapter that stopped reading for its
	// server's budget looks again.
	poolRetry = 10 * time.Millisecond
	// maxMessage is the largest message an adapter sends: the largest
	// size the Go allocator serves without taking the heap's lock.
	maxMessage = 32 << 10
	// reuseAbove is the smallest read handed out in its pooled buffer
	// with ReuseBuffers: smaller ones are copied, so that a small message
	// does not keep a large buffer busy.
	reuseAbove = 4 << 10
)

// ConnOptions bound what one connection may cost and how long it may wait.
// A zero duration means no limit, as in net/http.
type ConnOptions struct {
	// IdleTimeout closes a connection on which nothing was read or written
	// for this long.
	IdleTimeout time.Duration
	// ReadTimeout closes a connection from which nothing was read for this
	// long.
	ReadTimeout time.Duration
	// WriteTimeout closes a connection that could not take any byte of what
	// waits to be written for this long (a client that stopped reading).
	WriteTimeout time.Duration
	// CloseTimeout bounds how long a close waits to write what is queued
	// and for the peer to finish (default DefaultCloseTimeout).
	CloseTimeout time.Duration
	// MaxReadChunk is the largest message read from the socket at once
	// (default DefaultMaxReadChunk).
	MaxReadChunk int
	// KeepReading makes a close asked for on "control" a half-close: after
	// what was queued is written and the FIN sent, the adapter goes on
	// delivering what the peer sends until the peer closes too (or
	// CloseTimeout passes). A client that has said all it had to say still
	// gets the answer; TCPClient sets it. Off (a server), input that comes
	// after the close is read and dropped until the peer's FIN, so that the
	// close is clean.
	KeepReading bool
	// ReuseBuffers lets the adapter hand out large reads in buffers from a
	// pool, without copying them, and put a buffer back in the pool once it
	// has written it. Set it only when no handler keeps, changes or shares a
	// []byte after sending it to the adapter, or after the adapter sent it:
	// an echo or a transform that sends what it is given on, and nothing
	// else. Off, every message is a buffer of its own.
	ReuseBuffers bool
	// Budget bounds in bytes what a connection holds in memory (default
	// DefaultBudget, 64 KiB): half for what the adapter has read and its
	// handler has not taken yet (the handler's inbox, bounded with
	// axon.LimitBytes), half for what waits to be written (the adapter's
	// "inbox" and its write queue, a quarter each). Past it the adapter
	// stops reading, or stops taking what the handler sends, which then
	// waits in the handler (backpressure). Each part may go past its share
	// by one message (at most 32 KiB for what the adapter reads), so a
	// connection costs at most about Budget plus 100 KiB, plus what its
	// handler keeps of its own: a client that sends and never reads
	// included.
	Budget int
	// ServerBudget, if positive, bounds in bytes what all the connections
	// made with these options hold together (those of one server): while
	// they hold that much, an adapter whose handler has not taken what it
	// was given reads no more, and a handler's output waits in the handler
	// (ServerOptions.Conn.ServerBudget). A connection whose handler keeps up
	// is still served: it may always hand over one read.
	ServerBudget int

	scratch   *sync.Pool // read buffers of MaxReadChunk bytes, shared by every connection
	maxQueued int        // Budget/4: the write queue's share
	pool      *loop.Pool // ServerBudget's count, shared by the connections
}

func (o ConnOptions) withDefaults() ConnOptions {
	if o.MaxReadChunk <= 0 {
		o.MaxReadChunk = DefaultMaxReadChunk
	}
	o.scratch = scratchPool(o.MaxReadChunk)
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	o.Budget = min(max(o.Budget, 4), 1<<30)
	o.maxQueued = o.Budget / 4
	if o.ServerBudget > 0 {
		o.pool = &loop.Pool{Max: int64(o.ServerBudget)}
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = DefaultCloseTimeout
	}
	return o
}

// ConnectedSocketAdapter (CSA) is a connected socket as a component: the
// bytes that arrive come out of "outbox", and what is sent to "inbox" is
// written to the socket. ServerCore and TCPClient make one per connection;
// a protocol handler talks to the network only through it.
//
// Example, how ServerCore links a connection to its handler (it passes the
// adapter's signals on to the handler itself, to time the handler's end):
//
//	axon.Link(&csa.Out, handler.StdInbox())
//	axon.Link(handler.StdOutbox(), &csa.In)
//	axon.Link(handler.StdSignal(), &csa.Control)
//
// # How does it work?
//
// The Selector tells the adapter when its socket is readable or writable,
// and the adapter does the I/O in its own turn. It reads at most a few
// chunks per turn, so that one busy connection cannot starve the others, and
// stops reading while its "outbox" destination is full: a handler that falls
// behind slows its client down, it never grows the server's memory. Messages
// sent to "inbox" are queued and written together in one vectored write; the
// adapter stops taking them while a quarter of the connection's Budget
// waits for a client that does not read.
//
// When the peer closes its side, a *SocketShutdown with Err io.EOF goes out
// of "signal" and the connection stays open for replies. A producerFinished
// or shutdownMicroprocess on "control" closes the connection after every
// byte queued before it has been written: the adapter sends its FIN, then
// reads until the peer's (dropping what comes, or delivering it with
// KeepReading), so that the close is clean, never a reset. Without
// KeepReading it closes without waiting for the peer's FIN once nothing is
// left unread and the peer's TCP has acknowledged every byte
// (poll.Unacked): a client that merely keeps its socket open does not hold
// the connection. CloseTimeout
// bounds the whole close. A *StopReading on "control" ends the input
// instead: what came is delivered, then a *SocketShutdown with
// ErrServerStopping, and the connection takes replies until it is closed. A reset, a broken pipe or a timeout closes only this
// connection; the *SocketShutdown that follows says why. Every
// *SocketShutdown names the connection.
//
// STARTTLS: a *TLSUpgrade on the "makessl" inbox (MakeSSL) switches the
// connection to TLS where it stands. The adapter writes in plain text what
// its "inbox" holds, stops reading plain input, hands the socket to a
// goroutine of its own for the handshake (poll.Detach, then crypto/tls),
// and sends axon.None{} on "sslready" (SSLReady) once it is done; "inbox"
// and "outbox" then speak TLS. A failed handshake closes the connection,
// with the error in the *SocketShutdown. The two boxes are made only for the
// adapters whose owner asks for them (MakeSSL, SSLReady), before
// activation.
type ConnectedSocketAdapter struct {
	axon.Component
	// "inbox" is bounded in bytes (a quarter of the Budget); its 256
	// messages let a handler that fell behind hand over many small ones
	// for one vectored write, so that a server that is behind catches up
	// by writing in larger batches rather than falling further behind.
	In      axon.Inbox[[]byte]       `inbox:"inbox,cap=256,nohandler"` // bytes to write to the peer
	Control axon.Inbox[axon.Signal]  `inbox:"control"`                 // producerFinished or shutdownMicroprocess: write what is queued, then close
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`                 // bytes read from the peer
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`                 // a *SocketShutdown when input ends and when the connection closes

	conn  poll.Conn
	opts  *ConnOptions  // shared by the server's connections
	ready atomic.Uint32 // poll.Events not yet handled, and wantWrite
	// wqBytes is the size of wq; a quarter of the Budget bounds it.
	wqBytes int32
	wq      [][]byte // taken from "inbox", not yet written
	stats   connStats

	readMore    bool  // the socket may hold more input
	inputDone   bool  // EOF or error seen on input
	stopReading uint8 // StopReading: 1 reading what has arrived, 2 done (the handler was told; input is dropped)
	closing     bool  // asked to close: write what is queued, then close
	wrClosed    bool  // our FIN is sent
	closed      bool
	timed       bool // cold.times is kept (timeouts, or closing)
	poolWait    bool // not reading while the server's budget is spent (ServerBudget)

	cold *csaCold // what an idle connection does not need
}

// csaCold is the part of an adapter that most connections never need, or
// need only for a while: an idle connection holds none.
type csaCold struct {
	held   [][]byte // read, but "outbox" had no room
	wqHead []byte   // wq[0] as it came, when it is partly written
	times  csaTimes
	tls    *csaTLS     // the "makessl" and "sslready" boxes, and the upgrade (starttls.go)
	meter  *meter.Conn // the connection's record in its runtime's metrics, when they are on (meter.go)
}

// csaTimes are what an adapter's timeouts need.
type csaTimes struct {
	lastRead, lastWrite time.Time
	stalledSince        time.Time // first ErrWouldBlock of a write still blocked
	closeDeadline       time.Time
}

// extra returns the adapter's cold part, creating it.
func (c *ConnectedSocketAdapter) extra() *csaCold {
	if c.cold == nil {
		c.cold = &csaCold{}
	}
	return c.cold
}

// clock returns the adapter's timeout record, or nil when it keeps none.
func (c *ConnectedSocketAdapter) clock() *csaTimes {
	if !c.timed {
		return nil
	}
	return &c.cold.times
}

// holding reports whether reads wait for room in "outbox".
func (c *ConnectedSocketAdapter) holding() bool { return c.cold != nil && len(c.cold.held) > 0 }

// times returns the adapter's timeout record, creating it.
func (c *ConnectedSocketAdapter) times() *csaTimes {
	if !c.timed {
		c.timed = true
		now := time.Now()
		c.extra().times = csaTimes{lastRead: now, lastWrite: now}
	}
	return &c.cold.times
}

func (o *ConnOptions) timeouts() bool {
	return o.IdleTimeout > 0 || o.ReadTimeout > 0 || o.WriteTimeout > 0
}

// NewConnectedSocketAdapter makes the adapter of a connected socket. It is activated by its
// owner (ServerCore, TCPClient), which links it first.
func NewConnectedSocketAdapter(conn poll.Conn, opts ConnOptions) *ConnectedSocketAdapter {
	o := opts.withDefaults()
	return newCSA(conn, &o)
}

// newCSA makes an adapter with options shared by many connections.
func newCSA(conn poll.Conn, opts *ConnOptions) *ConnectedSocketAdapter {
	c := (&ConnectedSocketAdapter{conn: conn, opts: opts}).initBoxes()
	c.stats.opened = time.Now().UnixNano()
	links.LimitIn(&c.In, opts.Budget/4, opts.pool)
	return c
}

// Discard closes the socket of an adapter that will never be activated (a
// connection accepted while its server was stopping).
func (c *ConnectedSocketAdapter) Discard() error {
	if c.Runtime() != nil {
		return fmt.Errorf("internet: Discard on an activated adapter: send it a signal on control")
	}
	return c.conn.Close()
}

// Peer returns the connection's remote end.
func (c *ConnectedSocketAdapter) Peer() netip.AddrPort { return c.conn.RemoteAddr() }

// Local returns the connection's local end.
func (c *ConnectedSocketAdapter) Local() netip.AddrPort { return c.conn.LocalAddr() }

// wantWrite is a bit of ready that is not a poll.Events: a write is blocked
// and waits for Writable.
const wantWrite = 1 << 31

// Ready is called by the Selector (poll) when the socket may be ready. A
// Writable that no blocked write waits for (the peer's ACKs make one after
// nearly every reply) wakes nothing: it is recorded only.
func (c *ConnectedSocketAdapter) Ready(ev poll.Events) {
	if c.mark(ev) {
		c.Notify()
	}
}

// mark records ev and reports whether it calls for a turn.
func (c *ConnectedSocketAdapter) mark(ev poll.Events) bool {
	old := c.ready.Or(uint32(ev))
	return ev&poll.Readable != 0 || old&wantWrite != 0
}

// writeBlocked records that a write waits for Writable, and makes sure of a
// turn if Writable came since the turn began.
func (c *ConnectedSocketAdapter) writeBlocked() {
	if old := c.ready.Or(wantWrite); old&uint32(poll.Writable) != 0 {
		c.Notify()
	}
}

// onStart starts watching the socket.
func (c *ConnectedSocketAdapter) onStart() {
	c.startMeter()
	// What is read waits in the handler's inbox up to half the budget.
	links.LimitEnd(&c.Out, c.opts.Budget/2, c.opts.pool)
	if c.opts.timeouts() {
		c.times()
	}
	if err := c.conn.Watch(c); err != nil {
		c.shut(fmt.Errorf("watching the connection: %w", err))
		return
	}
	c.readMore = true
	c.armTimer()
}

// onControl closes the connection once what is queued has been written;
// once the connection is closed, it stops the adapter. A *StopReading ends
// the input instead.
func (c *ConnectedSocketAdapter) onControl(sig axon.Signal) {
	if _, ok := sig.(*StopReading); ok {
		if !c.closed && !c.inputDone && !c.closing && c.stopReading == 0 {
			c.stopReading = 1
			c.readMore = true // read what has arrived, to the end
		}
		return
	}
	if c.closed {
		c.Stop()
		return
	}
	if !c.closing {
		c.closing = true
		c.times().closeDeadline = time.Now().Add(c.opts.CloseTimeout)
		c.WakeAfter(c.opts.CloseTimeout)
	}
}

// onTurnEnd does the socket's I/O.
func (c *ConnectedSocketAdapter) onTurnEnd() {
	if c.closed {
		// What a handler still sends cannot be written: take it, so that
		// the handler is never held up by a dead connection.
		if x := c.cold; x != nil && x.tls != nil {
			x.tls.drain()
		}
		for {
			if _, ok := c.In.TryRecv(); !ok {
				return
			}
		}
	}
	if poll.Events(c.ready.Swap(0))&poll.Readable != 0 {
		c.readMore = true
	}
	if x := c.cold; x != nil && x.tls != nil && !c.tlsTurn(x.tls) {
		return // a TLS upgrade is under way
	}
	c.pull()
	if !c.write() {
		return
	}
	if c.closing && c.In.Len() == 0 && len(c.wq) == 0 && !c.wrClosed {
		c.wrClosed = true
		if c.inputDone {
			// Everything is written and the peer has closed: closing sends
			// the FIN, with no shutdown before it (a mass close makes many).
			c.shut(nil)
			return
		}
		if err := c.conn.CloseWrite(); err != nil {
			c.shut(nil)
			return
		}
		c.readMore = true // read what is left, then close
	}
	if c.readMore {
		c.read()
	}
}

// onWake checks the timeouts, and reads again if it stopped for the
// server's budget.
func (c *ConnectedSocketAdapter) onWake() {
	if c.closed {
		return
	}
	if c.poolWait {
		c.poolWait = false
		defer func() {
			if !c.closed && !c.holding() {
				c.readMore = true
				c.read()
			}
		}()
	}
	t := c.clock()
	if t == nil {
		return
	}
	now := time.Now()
	switch {
	case c.closing && !t.closeDeadline.IsZero() && !now.Before(t.closeDeadline):
		c.timedOut(nil) // what could not be written in time is dropped with the connection
		return
	case c.wrClosed:
		c.readMore = true // lingering: read what came, then look again
		c.read()
		return
	case c.opts.WriteTimeout > 0 && !t.stalledSince.IsZero() && now.Sub(t.stalledSince) >= c.opts.WriteTimeout:
		c.timedOut(fmt.Errorf("write timeout: the peer took nothing for %v", c.opts.WriteTimeout))
		return
	case c.opts.ReadTimeout > 0 && !c.inputDone && now.Sub(t.lastRead) >= c.opts.ReadTimeout:
		c.timedOut(fmt.Errorf("read timeout: nothing read for %v", c.opts.ReadTimeout))
		return
	case c.opts.IdleTimeout > 0 && now.Sub(latest(t.lastRead, t.lastWrite)) >= c.opts.IdleTimeout:
		c.timedOut(fmt.Errorf("idle timeout: no traffic for %v", c.opts.IdleTimeout))
		return
	}
	c.armTimer()
}

// lingerCheck is how often a close whose FIN is sent looks whether the
// peer has acknowledged everything.
const lingerCheck = 5 * time.Millisecond

// linger ends a close whose FIN is sent, once nothing is left unread and
// the peer's TCP has acknowledged every byte written (poll.Unacked): the
// close can no longer become a reset that loses what the peer was sent,
// so there is no need to wait for the peer's own FIN, which a client that
// merely keeps its socket open never sends. Until then it looks again
// every lingerCheck, up to CloseTimeout. A connection that cannot tell
// waits for the peer's FIN, as before.
func (c *ConnectedSocketAdapter) linger() {
	n, ok := poll.Unacked(c.conn)
	if !ok {
		return
	}
	if n == 0 {
		c.shut(nil)
		return
	}
	d := lingerCheck
	if left := time.Until(c.times().closeDeadline); left < d {
		d = left
	}
	c.WakeAfter(max(d, time.Millisecond))
}

// onStop closes the socket if the adapter is stopped from outside.
func (c *ConnectedSocketAdapter) onStop() {
	if x := c.cold; x != nil && x.tls != nil {
		x.tls.abandon()
	}
	if !c.closed {
		c.closed = true
		_ = c.conn.Close()
		if m := c.meterOf(); m != nil {
			m.Close(meter.Stopped)
		}
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// armTimer asks to be woken at the nearest deadline.
func (c *ConnectedSocketAdapter) armTimer() {
	if !c.opts.timeouts() || c.closing {
		return
	}
	t := c.times()
	now := time.Now()
	next := time.Duration(1<<63 - 1)
	consider := func(at time.Time) {
		if d := at.Sub(now); d < next {
			next = d
		}
	}
	if c.opts.IdleTimeout > 0 {
		consider(latest(t.lastRead, t.lastWrite).Add(c.opts.IdleTimeout))
	}
	if c.opts.ReadTimeout > 0 && !c.inputDone {
		consider(t.lastRead.Add(c.opts.ReadTimeout))
	}
	if c.opts.WriteTimeout > 0 && !t.stalledSince.IsZero() {
		consider(t.stalledSince.Add(c.opts.WriteTimeout))
	}
	if next < time.Duration(1<<63-1) {
		c.WakeAfter(max(next, time.Millisecond))
	}
}

// pull takes messages from "inbox" while the write queue has room: its
// share of the budget, and the server's budget if it has one, though an
// empty queue always takes one.
func (c *ConnectedSocketAdapter) pull() {
	for int(c.wqBytes) < c.opts.maxQueued && (c.wqBytes == 0 || !c.opts.pool.Over()) {
		m, ok := c.In.TryRecv()
		if !ok {
			return
		}
		c.queue(m)
	}
}

// queue adds m to what waits to be written.
func (c *ConnectedSocketAdapter) queue(m []byte) {
	if len(m) > 0 {
		c.wq = append(c.wq, m)
		c.wqBytes += int32(len(m))
		c.stats.queued.Store(c.wqBytes)
		if p := c.opts.pool; p != nil {
			p.Used.Add(int64(len(m)))
		}
	}
}

// write writes what is queued, taking more from "inbox" as room appears.
// It reports false when the connection was closed.
func (c *ConnectedSocketAdapter) write() bool { return c.writeQueued(true) }

// writeQueued writes what is queued; with takeMore it takes more from
// "inbox" each time the queue has gone out. It reports false when the
// connection was closed.
func (c *ConnectedSocketAdapter) writeQueued(takeMore bool) bool {
	for len(c.wq) > 0 {
		n, err := c.conn.Writev(c.wq)
		if n > 0 {
			if t := c.clock(); t != nil {
				t.lastWrite = time.Now()
				t.stalledSince = time.Time{}
			}
			c.consume(n)
		}
		switch {
		case err == nil:
			if takeMore {
				c.pull() // room again: take more
			}
		case errors.Is(err, poll.ErrWouldBlock):
			c.writeBlocked()
			if t := c.clock(); t != nil && t.stalledSince.IsZero() {
				t.stalledSince = time.Now()
				c.armTimer()
			}
			return true
		default:
			c.shut(err)
			return false
		}
	}
	return true
}

// consume drops n written bytes from the front of the queue.
func (c *ConnectedSocketAdapter) consume(n int) {
	c.wqBytes -= int32(n)
	c.stats.queued.Store(c.wqBytes)
	c.stats.out.Add(uint64(n))
	if p := c.opts.pool; p != nil {
		p.Used.Add(int64(-n))
	}
	i := 0
	for i < len(c.wq) && n >= len(c.wq[i]) {
		n -= len(c.wq[i])
		if i == 0 && c.cold != nil && c.cold.wqHead != nil {
			c.recycle(c.cold.wqHead)
			c.cold.wqHead = nil
		} else {
			c.recycle(c.wq[i])
		}
		c.wq[i] = nil
		i++
	}
	if i < len(c.wq) && n > 0 {
		if x := c.extra(); i > 0 || x.wqHead == nil {
			x.wqHead = c.wq[i]
		}
		c.wq[i] = c.wq[i][n:]
	}
	c.wq = c.wq[:copy(c.wq, c.wq[i:])]
}

// recycle puts a written buffer back in the read pool, when the adapter
// may (ReuseBuffers) and it is one of the pool's.
func (c *ConnectedSocketAdapter) recycle(b []byte) {
	if c.opts.ReuseBuffers && cap(b) == c.opts.MaxReadChunk {
		full := b[:cap(b)] // only this one escapes: a write of another buffer allocates nothing
		c.putScratch(&full)
	}
}

// read reads a few chunks and sends them on, while the destination has
// room.
func (c *ConnectedSocketAdapter) read() {
	for range readsPerTurn {
		if c.holding() && c.wrClosed && !c.opts.KeepReading {
			// Closing: what was read for the handler is dropped, as what
			// comes now is (the handler may be gone, and never take it).
			c.cold.held = nil
		}
		if c.holding() {
			x := c.cold
			for len(x.held) > 0 {
				if !c.Out.Offer(x.held[0]) {
					c.hold()
					// Woken when the handler has room. Meanwhile nothing is
					// read, but a reset is not left for later: what is
					// queued could never be answered.
					if err := poll.PendingError(c.conn); err != nil {
						c.inputDone = true
						c.shut(err)
					}
					return
				}
				x.held[0] = nil
				x.held = x.held[1:]
			}
			x.held = nil
		}
		if c.opts.pool.Over() && links.EndLen(&c.Out) > 0 {
			// The server's budget is spent and the handler has not taken
			// what it was given: read nothing more for now, and look again
			// in a while (the budget frees elsewhere, with no wake-up here).
			// A reset is not left for later meanwhile, as above.
			if err := poll.PendingError(c.conn); err != nil {
				c.inputDone = true
				c.shut(err)
				return
			}
			c.poolWait = true
			c.hold()
			c.WakeAfter(poolRetry)
			return
		}
		c.resume() // if it had paused, it reads again
		scratch := c.getScratch()
		n, err := c.conn.Read(*scratch)
		if n > 0 {
			c.stats.in.Add(uint64(n))
			if t := c.clock(); t != nil {
				t.lastRead = time.Now()
			}
		}
		switch {
		case n == 0 || (c.wrClosed && !c.opts.KeepReading) || c.stopReading == 2: // closing, or the input ended: the peer's input is dropped
			c.putScratch(scratch)
		case n >= reuseAbove && c.opts.ReuseBuffers:
			// The pooled buffer itself goes out; it comes back to the pool
			// when an adapter has written it.
			c.send((*scratch)[:n])
		default:
			// Each message gets a buffer of its own, of its size: the
			// scratch buffer goes back to the pool, and an idle connection
			// holds none. A stream has no boundaries, so a large read goes
			// out in pieces the allocator serves from its per-CPU caches.
			for data := (*scratch)[:n]; len(data) > 0; {
				k := min(len(data), maxMessage)
				c.send(bytes.Clone(data[:k]))
				data = data[k:]
			}
			c.putScratch(scratch)
		}
		if c.holding() {
			c.hold()
			return // woken when the handler has room
		}
		switch {
		case err == nil:
		case errors.Is(err, poll.ErrWouldBlock):
			c.readMore = false // after our FIN, wait for the peer's (CloseTimeout bounds it)
			if c.stopReading == 1 && !c.wrClosed {
				// All that had arrived is delivered: the input ends here.
				c.stopReading = 2
				c.Signal.Send(&SocketShutdown{Conn: c, Peer: c.Peer(), Err: ErrServerStopping})
			}
			if c.wrClosed && !c.opts.KeepReading {
				// KeepReading waits for the peer's FIN: an answer may
				// still be on its way once our bytes are acknowledged.
				c.linger()
			}
			return
		case errors.Is(err, io.EOF):
			c.readMore = false
			c.inputDone = true
			if m := c.meterOf(); m != nil && !c.closing && c.stopReading == 0 {
				m.PeerClosed = true
			}
			if c.wrClosed {
				c.shut(nil)
				return
			}
			if c.stopReading != 2 { // else the handler was told already
				c.stopReading = 2
				c.Signal.Send(&SocketShutdown{Conn: c, Peer: c.Peer(), Err: io.EOF})
			}
			return
		default:
			c.readMore = false
			c.inputDone = true
			c.shut(err)
			return
		}
	}
	c.Notify() // more may wait: after the others had a turn
}

// send offers msg to the handler, or holds it (in order) while the handler
// has no room.
func (c *ConnectedSocketAdapter) send(msg []byte) {
	if c.holding() || !c.Out.Offer(msg) {
		x := c.extra()
		x.held = append(x.held, msg)
	}
}

// Scratch buffers for reads, shared by every connection of a size: a read
// lands in one, and the message gets an exact copy (or, with ReuseBuffers,
// the buffer itself).
var scratchPools sync.Map // size -> *sync.Pool

// scratchPool returns the pool of read buffers of a size.
func scratchPool(size int) *sync.Pool {
	if p, ok := scratchPools.Load(size); ok {
		return p.(*sync.Pool)
	}
	p, _ := scratchPools.LoadOrStore(size, &sync.Pool{New: func() any {
		b := make([]byte, size)
		return &b
	}})
	return p.(*sync.Pool)
}

func (c *ConnectedSocketAdapter) getScratch() *[]byte {
	return c.opts.scratch.Get().(*[]byte)
}

func (c *ConnectedSocketAdapter) putScratch(b *[]byte) {
	if len(*b) == c.opts.MaxReadChunk {
		c.opts.scratch.Put(b)
	}
}

// shut closes the connection and tells the handler why. A close asked for
// on "control" ends the adapter there; a close the peer, an error or a
// timeout caused leaves it taking (and dropping) what the handler still
// sends, until a signal on "control" stops it: the handler learns of the
// close from the *SocketShutdown and is never held up meanwhile.
func (c *ConnectedSocketAdapter) shut(err error) {
	if c.closed {
		return
	}
	c.closed = true
	if x := c.cold; x != nil && x.tls != nil {
		x.tls.abandon()
	}
	_ = c.conn.Close()
	c.closeMeter(err)
	if p := c.opts.pool; p != nil {
		p.Used.Add(int64(-c.wqBytes))
	}
	c.wq, c.wqBytes = nil, 0
	c.stats.queued.Store(0)
	if x := c.cold; x != nil {
		x.wqHead, x.held = nil, nil
	}
	c.Signal.Send(&SocketShutdown{Conn: c, Peer: c.Peer(), Err: err, Closed: true})
	if c.closing {
		c.Stop()
		return
	}
	c.Notify() // drop what waits in "inbox"
}
