// Package chaos is a TCP proxy for tests that injects faults: it re-cuts,
// slows, swallows, half-closes or resets the byte stream between a client
// and a server, at exact byte offsets.
//
// Every connection accepted by a Proxy is forwarded to the upstream address
// over its own connection. Bytes are never lost or reordered except where a
// Fault says so. An EOF from one side is passed on as a half-close (FIN) to
// the other side, and the pair of connections ends once both directions
// have ended.
package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// dialTimeout bounds the connect to the upstream.
const dialTimeout = 5 * time.Second

// closeTimeout bounds the wait for the proxy's goroutines when the test ends.
const closeTimeout = 10 * time.Second

// drainTimeout bounds the wait for forwarded bytes to leave a socket before
// it is reset.
const drainTimeout = time.Second

// Direction is the way bytes flow through the proxy.
type Direction int

const (
	// Up is client to server.
	Up Direction = iota
	// Down is server to client.
	Down
)

// String returns "up" or "down".
func (d Direction) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Fault changes how one Direction of each connection is forwarded. Faults
// are made by Recut, Throttle, Blackhole, HalfClose and ResetAt; several
// may apply to the same Direction. The functions panic on a bad argument
// (a negative offset, a max or rate below 1). Offsets count the bytes forwarded in
// that Direction on that connection; when several stop faults are due at
// the same offset, ResetAt wins over HalfClose, which wins over Blackhole.
type Fault struct {
	dir   Direction
	apply func(*rules)
}

// rules are the faults of one direction.
type rules struct {
	recutSeed int64
	recutMax  int // 0: no re-cut
	rate      int // bytes per second, 0: no limit
	blackhole int64
	halfClose int64
	reset     int64 // -1: not set, for these three
}

func newRules() rules { return rules{blackhole: -1, halfClose: -1, reset: -1} }

func fault(dir Direction, apply func(*rules)) Fault {
	if dir != Up && dir != Down {
		panic(fmt.Sprintf("chaos: bad direction %d", int(dir)))
	}
	return Fault{dir: dir, apply: apply}
}

func offset(name string, n int64) {
	if n < 0 {
		panic(fmt.Sprintf("chaos: %s: negative offset %d", name, n))
	}
}

// Recut re-cuts the stream into chunks of 1 to max bytes, sized at random
// from seed (each connection is cut the same way), each sent with its own
// write, with a pause of 100µs to 1ms between chunks, so that the reader
// sees them as separate reads.
func Recut(dir Direction, seed int64, max int) Fault {
	if max < 1 {
		panic(fmt.Sprintf("chaos: Recut: max %d < 1", max))
	}
	return fault(dir, func(r *rules) { r.recutSeed, r.recutMax = seed, max })
}

// Throttle forwards at most bytesPerSec bytes a second.
func Throttle(dir Direction, bytesPerSec int) Fault {
	if bytesPerSec < 1 {
		panic(fmt.Sprintf("chaos: Throttle: %d bytes per second", bytesPerSec))
	}
	return fault(dir, func(r *rules) { r.rate = bytesPerSec })
}

// Blackhole forwards the first after bytes and nothing more, not even an
// EOF: both connections stay open, and what arrives is read and dropped.
func Blackhole(dir Direction, after int64) Fault {
	offset("Blackhole", after)
	return fault(dir, func(r *rules) { r.blackhole = after })
}

// HalfClose forwards the first after bytes, then closes the write side
// toward the receiver (it reads EOF). What arrives afterwards is read and
// dropped; the other direction goes on.
func HalfClose(dir Direction, after int64) Fault {
	offset("HalfClose", after)
	return fault(dir, func(r *rules) { r.halfClose = after })
}

// ResetAt forwards exactly offset bytes, then resets both connections:
// each is closed with SO_LINGER 0, so that each end sees ECONNRESET or EOF,
// as TCP gives it. On Linux the proxy first waits (up to a second) until
// the receiver's TCP has acknowledged the bytes forwarded, so that the
// reset does not destroy them on their way.
func ResetAt(dir Direction, offset int64) Fault {
	if offset < 0 {
		panic(fmt.Sprintf("chaos: ResetAt: negative offset %d", offset))
	}
	return fault(dir, func(r *rules) { r.reset = offset })
}

// Proxy is a fault-injecting TCP proxy listening on 127.0.0.1.
type Proxy struct {
	ln       *net.TCPListener
	upstream string
	ctx      context.Context // ends when the proxy closes
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu     sync.Mutex
	faults []Fault
	conns  int
	open   map[*pair]struct{}
	closed bool
}

// Start listens on 127.0.0.1:0 and forwards each connection it accepts to
// upstream, with faults. When the test ends the proxy closes its listener
// and every connection, and waits for all its goroutines.
func Start(t testing.TB, upstream string, faults ...Fault) *Proxy {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("chaos: listening: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		ln: ln, upstream: upstream, ctx: ctx, cancel: cancel,
		faults: slices.Clone(faults), open: make(map[*pair]struct{}),
	}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		if err := p.close(); err != nil {
			t.Errorf("chaos: %v", err)
		}
	})
	return p
}

// Addr returns the address the proxy listens on ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set replaces the faults for the connections accepted from now on.
func (p *Proxy) Set(faults ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = slices.Clone(faults)
}

// Conns returns how many connections the proxy has accepted so far.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// close stops the proxy and waits for its goroutines, within closeTimeout.
func (p *Proxy) close() error {
	p.mu.Lock()
	p.closed = true
	pairs := make([]*pair, 0, len(p.open))
	for c := range p.open {
		pairs = append(pairs, c)
	}
	p.mu.Unlock()
	p.cancel()
	_ = p.ln.Close()
	for _, c := range pairs {
		c.end(false)
	}
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(closeTimeout):
		return fmt.Errorf("the proxy's goroutines did not end within %v", closeTimeout)
	}
}

// accept serves the listener until it closes.
func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.AcceptTCP()
		if err != nil {
			return // closed; a test proxy gives up on any other error too
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.conns++
		var r [2]rules
		r[Up], r[Down] = newRules(), newRules()
		for _, f := range p.faults {
			if f.apply != nil { // the zero Fault does nothing
				f.apply(&r[f.dir])
			}
		}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(c, r)
	}
}

// serve connects client to the upstream and forwards both ways.
func (p *Proxy) serve(client *net.TCPConn, r [2]rules) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
	var d net.Dialer
	sc, err := d.DialContext(ctx, "tcp", p.upstream)
	cancel()
	if err != nil {
		_ = client.SetLinger(0) // the client sees a reset
		_ = client.Close()
		return
	}
	server := sc.(*net.TCPConn)
	_ = client.SetNoDelay(true)
	_ = server.SetNoDelay(true)
	c := &pair{client: client, server: server, done: make(chan struct{})}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		c.end(false)
		return
	}
	p.open[c] = struct{}{}
	p.mu.Unlock()

	var both sync.WaitGroup
	both.Go(func() { c.forward(Up, client, server, r[Up]) })
	c.forward(Down, server, client, r[Down])
	both.Wait()
	c.end(false)

	p.mu.Lock()
	delete(p.open, c)
	p.mu.Unlock()
}

// pair is a client's connection and its connection to the upstream.
type pair struct {
	client, server *net.TCPConn
	done           chan struct{} // closed by end
	once           sync.Once
}

// end closes both connections, with SO_LINGER 0 if reset.
func (c *pair) end(reset bool) {
	c.once.Do(func() {
		close(c.done)
		if reset {
			_ = c.client.SetLinger(0)
			_ = c.server.SetLinger(0)
		}
		_ = c.client.Close()
		_ = c.server.Close()
	})
}

// stop is what a direction does once it has forwarded a given number of
// bytes.
type stop int

const (
	none stop = iota
	blackhole
	halfClose
	reset
)

// next returns the first stop fault of r and its offset.
func (r *rules) next() (stop, int64) {
	what, at := none, int64(-1)
	for _, s := range []struct {
		what stop
		at   int64
	}{{reset, r.reset}, {halfClose, r.halfClose}, {blackhole, r.blackhole}} {
		if s.at >= 0 && (at < 0 || s.at < at) {
			what, at = s.what, s.at
		}
	}
	return what, at
}

// forward copies src to dst under the rules r until src ends, a stop
// fault ends the direction, or the pair ends.
func (c *pair) forward(dir Direction, src, dst *net.TCPConn, r rules) {
	w := writer{c: c, dst: dst, r: r}
	if r.recutMax > 0 {
		w.rng = rand.New(rand.NewPCG(uint64(r.recutSeed), uint64(dir)))
	}
	w.timer = time.NewTimer(time.Hour)
	w.timer.Stop()
	defer w.timer.Stop()

	what, at := r.next()
	var sent int64
	buf := make([]byte, 32<<10)
	for {
		if what != none && sent == at {
			c.stopAt(what, src, dst, buf)
			return
		}
		b := buf
		if what != none && int64(len(b)) > at-sent {
			b = b[:at-sent]
		}
		n, err := src.Read(b)
		if n > 0 {
			if !w.write(b[:n]) {
				return
			}
			sent += int64(n)
		}
		if err != nil {
			c.readFailed(err, dst, true)
			return
		}
	}
}

// stopAt applies the stop fault what, due now.
func (c *pair) stopAt(what stop, src, dst *net.TCPConn, buf []byte) {
	switch what {
	case reset:
		drain(dst, c.done)
		c.end(true)
		return
	case halfClose:
		if err := dst.CloseWrite(); err != nil {
			c.end(true)
			return
		}
	}
	// Read and drop what comes, until the sender closes.
	for {
		if _, err := src.Read(buf); err != nil {
			c.readFailed(err, dst, false)
			return
		}
	}
}

// readFailed ends a direction whose source returned err: an EOF is passed
// on as a half-close if fin, any other error resets the pair.
func (c *pair) readFailed(err error, dst *net.TCPConn, fin bool) {
	switch {
	case errors.Is(err, net.ErrClosed):
		// The pair has ended.
	case errors.Is(err, io.EOF):
		if fin {
			if err := dst.CloseWrite(); err != nil {
				c.end(true)
			}
		}
	default:
		c.end(true) // the source reset or failed: pass that on
	}
}

// writer writes one direction's bytes, re-cut and paced as its rules say.
type writer struct {
	c     *pair
	dst   *net.TCPConn
	r     rules
	rng   *rand.Rand // for Recut
	timer *time.Timer
	wrote bool      // a chunk was written: pause before the next re-cut one
	next  time.Time // when Throttle lets the next chunk go
}

// write writes b; it returns false once the pair has ended or the write
// failed (which ends the pair).
func (w *writer) write(b []byte) bool {
	for len(b) > 0 {
		n := len(b)
		if w.rng != nil {
			n = min(n, 1+w.rng.IntN(w.r.recutMax))
			if w.wrote {
				pause := 100*time.Microsecond + time.Duration(w.rng.Int64N(int64(900*time.Microsecond)))
				if !w.wait(pause) {
					return false
				}
			}
		}
		if w.r.rate > 0 {
			n = min(n, max(1, w.r.rate/50)) // 20ms of bytes at a time
			now := time.Now()
			if w.next.Before(now) {
				w.next = now
			}
			w.next = w.next.Add(time.Duration(n) * time.Second / time.Duration(w.r.rate))
			if !w.wait(time.Until(w.next)) {
				return false
			}
		}
		if _, err := w.dst.Write(b[:n]); err != nil {
			w.c.end(true)
			return false
		}
		w.wrote = true
		b = b[n:]
	}
	return true
}

// wait waits for d; it returns false if the pair ends first.
func (w *writer) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	w.timer.Reset(d)
	select {
	case <-w.timer.C:
		return true
	case <-w.c.done:
		w.timer.Stop()
		return false
	}
}

// drain waits until what was written to c has left it (Linux; elsewhere it
// returns at once), within drainTimeout or until done closes.
func drain(c *net.TCPConn, done <-chan struct{}) {
	deadline := time.Now().Add(drainTimeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for unsent(c) > 0 && time.Now().Before(deadline) {
		select {
		case <-tick.C:
		case <-done:
			return
		}
	}
}
