package meter

import (
	"sync"
	"sync/atomic"
	"time"
)

// Reason is why a connection closed.
type Reason uint8

// The reasons a connection closes.
const (
	ClientClosed   Reason = iota // the peer closed its side first (its FIN), and the connection closed after
	Reset                        // the peer reset the connection, or a write found it gone (ECONNRESET, EPIPE)
	Timeout                      // an idle, read, write or close timeout
	HandlerClosed                // the handler asked for the close (a signal on the adapter's control)
	ServerShutdown               // the server stopped gracefully and the connection closed after its replies
	Stopped                      // the adapter was stopped before it closed: its handler failed or outlived its grace, or the server stopped at once
	Failed                       // another I/O error, a failed TLS handshake
	NumReasons
)

var reasonNames = [NumReasons]string{"client_closed", "reset", "timeout", "handler_closed", "server_shutdown", "stopped", "error"}

func (r Reason) String() string { return reasonNames[r] }

// Pause is why an adapter stopped reading its socket.
type Pause uint8

// The reasons reads pause.
const (
	HandlerFull  Pause = iota + 1 // the handler's inbox is full (or holds its share of the budget)
	ServerBudget                  // the server's budget (ServerBudget) is spent
)

var pauseNames = [...]string{"", "handler_full", "server_budget"}

func (p Pause) String() string { return pauseNames[p] }

// Conns is what a runtime's connections have counted.
type Conns struct {
	Accepted     atomic.Uint64 // by servers
	AcceptErrors atomic.Uint64 // temporary accept errors, each followed by a back-off
	Closed       [NumReasons]atomic.Uint64
	Pauses       [3]atomic.Uint64 // by Pause
	PausedNs     [3]atomic.Uint64 // of pauses that ended, by Pause

	mu      sync.Mutex
	live    map[*Conn]struct{}
	in, out uint64 // what closed connections read and wrote
}

// Conn is the metering of one connection: it reads the adapter's own
// counters. Its fields other than the counters are the adapter's, used in
// its turns.
type Conn struct {
	in, out    *atomic.Uint64
	queued     *atomic.Int32
	set        *Conns
	PeerClosed bool // the peer's FIN came before the adapter closed or was asked to
	TimedOut   bool // the adapter closes for a timeout
	pause      Pause
	pausedAt   time.Time
	done       bool
}

// Open counts a connection whose adapter counts bytes read in in, written
// in out, and what waits to be written in queued.
func (cs *Conns) Open(in, out *atomic.Uint64, queued *atomic.Int32) *Conn {
	c := &Conn{in: in, out: out, queued: queued, set: cs}
	cs.mu.Lock()
	if cs.live == nil {
		cs.live = map[*Conn]struct{}{}
	}
	cs.live[c] = struct{}{}
	cs.mu.Unlock()
	return c
}

// Close counts the connection closed for r, once.
func (c *Conn) Close(r Reason) {
	if c.done {
		return
	}
	c.done = true
	c.Resume()
	cs := c.set
	cs.Closed[r].Add(1)
	cs.mu.Lock()
	delete(cs.live, c)
	cs.in += c.in.Load()
	cs.out += c.out.Load()
	cs.mu.Unlock()
}

// Hold records that the adapter stopped reading, for p; nothing if it had
// already.
func (c *Conn) Hold(p Pause) {
	if c.pause != 0 || c.done {
		return
	}
	c.pause, c.pausedAt = p, time.Now()
	c.set.Pauses[p].Add(1)
}

// Resume records that the adapter reads again.
func (c *Conn) Resume() {
	if c.pause == 0 {
		return
	}
	c.set.PausedNs[c.pause].Add(uint64(time.Since(c.pausedAt)))
	c.pause = 0
}

// Totals is what Read returns.
type Totals struct {
	Open              int
	In, Out           uint64 // bytes read and written, by every connection so far
	Queued, MaxQueued int64  // bytes waiting to be written now: over all connections, on the one with most
}

// Read sums the counters of the live connections and the closed ones.
func (cs *Conns) Read() Totals {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	t := Totals{Open: len(cs.live), In: cs.in, Out: cs.out}
	for c := range cs.live {
		t.In += c.in.Load()
		t.Out += c.out.Load()
		q := int64(c.queued.Load())
		t.Queued += q
		t.MaxQueued = max(t.MaxQueued, q)
	}
	return t
}
