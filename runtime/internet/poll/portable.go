package poll

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The portable Poller runs on Go's net package. Each socket owns the
// goroutines that block on it (one for a listener, a reader and a writer for
// a connection); they hand their results over through small bounded buffers
// and call Ready when something arrives. It works wherever Go's net does and
// for any net.Conn (WrapConn), at the cost of two goroutines and two copies
// per connection.

const (
	// portableReadSize is the reader goroutine's buffer: what one Read can
	// hand over.
	portableReadSize = 32 << 10
	// portableWriteLimit bounds the bytes Writev takes before the writer
	// goroutine has written them (the queue plus the write in flight).
	portableWriteLimit = 64 << 10
	// portableAcceptQueue bounds the accepted connections waiting for
	// Accept; the kernel's backlog holds the rest.
	portableAcceptQueue = 32
)

// NewPortable returns a Poller built on Go's net package, for any OS.
//
// It has no goroutines of its own: each socket runs its own (the accept loop
// of a listener, the reader and writer of a connection), and they end when
// the socket is closed. A Conn's Close leaves its writer running to send
// what Writev took (30 s at most), as the kernel does; the Poller's Close
// closes every socket it made that is still open, at once, without that
// linger. ListenConfig.Backlog is not honoured: the net package always uses
// the OS default.
func NewPortable() Poller {
	return &portablePoller{socks: make(map[io.Closer]struct{})}
}

type portablePoller struct {
	mu     sync.Mutex
	closed bool
	socks  map[io.Closer]struct{}
}

// track records c so that Close can close it; it fails once the Poller is
// closed.
func (p *portablePoller) track(c io.Closer) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.socks[c] = struct{}{}
	return nil
}

func (p *portablePoller) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *portablePoller) untrack(c io.Closer) {
	p.mu.Lock()
	delete(p.socks, c)
	p.mu.Unlock()
}

func (p *portablePoller) Listen(network, address string, cfg ListenConfig) (Listener, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	if err := checkNetwork("listen", network); err != nil {
		return nil, err
	}
	lc := net.ListenConfig{Control: setReuseAddr}
	ln, err := lc.Listen(context.Background(), network, address)
	if err != nil {
		return nil, err
	}
	l := newPortableListener(ln, p)
	if err := p.track(l); err != nil {
		l.Close()
		return nil, err
	}
	l.start()
	return l, nil
}

func (p *portablePoller) Dial(ctx context.Context, network, address string) (Conn, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	if err := checkNetwork("dial", network); err != nil {
		return nil, err
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	c := newPortableConn(nc, p)
	if err := p.track(c); err != nil {
		nc.Close()
		return nil, err
	}
	c.start()
	return c, nil
}

func (p *portablePoller) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	socks := p.socks
	p.socks = nil
	p.mu.Unlock()
	for s := range socks {
		if c, ok := s.(*portableConn); ok {
			c.closeConn(false) // no linger: the goroutines end now
		} else {
			s.Close()
		}
	}
	return nil
}

// checkNetwork accepts the TCP networks only.
func checkNetwork(op, network string) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
		return nil
	}
	return &net.OpError{Op: op, Net: network, Err: net.UnknownNetworkError(network)}
}

// notifier serialises the calls to a socket's Watcher and stops them for
// good at Close. Events that come before Watch are kept and handed over by
// Watch.
type notifier struct {
	mu      sync.Mutex
	w       Watcher
	pending Events
	closed  atomic.Bool // written under mu
}

// watch sets the Watcher and hands it the events seen so far, plus initial.
func (n *notifier) watch(w Watcher, initial Events) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed.Load():
		return ErrClosed
	case n.w != nil:
		return errWatched
	case w == nil:
		return errors.New("poll: Watch with a nil Watcher")
	}
	n.w = w
	if ev := n.pending | initial; ev != 0 {
		n.pending = 0
		w.Ready(ev)
	}
	return nil
}

func (n *notifier) notify(ev Events) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed.Load():
	case n.w == nil:
		n.pending |= ev
	default:
		n.w.Ready(ev)
	}
}

// close stops notifications; after it returns no Ready is running or will
// run. It reports false if it was closed already.
func (n *notifier) close() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed.Load() {
		return false
	}
	n.closed.Store(true)
	return true
}

// portableListener accepts in a goroutine and hands connections over
// through a bounded channel.
type portableListener struct {
	notifier
	ln     net.Listener
	addr   netip.AddrPort
	poller *portablePoller
	queue  chan acceptResult
	// armed is set by Accept before it looks at the queue, and cleared by
	// the accept goroutine when it has queued something and owes a Ready.
	armed atomic.Bool
	done  chan struct{}
	wg    sync.WaitGroup
}

type acceptResult struct {
	c   net.Conn
	err error
}

func newPortableListener(ln net.Listener, p *portablePoller) *portableListener {
	l := &portableListener{
		ln:     ln,
		addr:   addrPortOf(ln.Addr()),
		poller: p,
		queue:  make(chan acceptResult, portableAcceptQueue),
		done:   make(chan struct{}),
	}
	l.armed.Store(true)
	return l
}

func (l *portableListener) start() {
	l.wg.Add(1)
	go l.acceptLoop()
}

func (l *portableListener) acceptLoop() {
	defer l.wg.Done()
	var backoff time.Duration
	for {
		c, err := l.ln.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
		}
		select {
		case l.queue <- acceptResult{c, err}:
		case <-l.done:
			if c != nil {
				c.Close()
			}
			return
		}
		if l.armed.Swap(false) {
			l.notify(Readable)
		}
		switch {
		case err == nil:
			backoff = 0
		case isTemporary(err):
			// The owner sees the error and backs off too; this keeps
			// the goroutine from spinning while descriptors run out.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-l.done:
				t.Stop()
				return
			}
		default:
			return // the error was queued; the listener is broken
		}
	}
}

func (l *portableListener) Watch(w Watcher) error { return l.watch(w, 0) }

func (l *portableListener) Accept() (Conn, error) {
	if l.closed.Load() {
		return nil, ErrClosed
	}
	l.armed.Store(true)
	var r acceptResult
	select {
	case r = <-l.queue:
	default:
		return nil, ErrWouldBlock
	}
	if r.err != nil {
		if !isTemporary(r.err) {
			// Keep returning a fatal error rather than blocking forever.
			l.requeue(r)
		}
		return nil, r.err
	}
	if tc, ok := r.c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	c := newPortableConn(r.c, l.poller)
	if err := l.poller.track(c); err != nil {
		r.c.Close()
		return nil, err
	}
	c.start()
	return c, nil
}

func (l *portableListener) requeue(r acceptResult) {
	select {
	case l.queue <- r:
	default:
	}
}

func (l *portableListener) Addr() netip.AddrPort { return l.addr }

func (l *portableListener) Close() error {
	if !l.close() {
		return ErrClosed
	}
	close(l.done)
	err := l.ln.Close()
	l.wg.Wait()
	for {
		select {
		case r := <-l.queue:
			if r.c != nil {
				r.c.Close()
			}
		default:
			l.poller.untrack(l)
			return err
		}
	}
}

// WrapConn makes a poll.Conn of any net.Conn, such as a *tls.Conn, with
// the portable implementation: a reader and a writer goroutine that end
// when the Conn is closed. The Conn belongs to no Poller. CloseWrite needs
// the net.Conn to have a CloseWrite method (*net.TCPConn and *tls.Conn do).
func WrapConn(c net.Conn) Conn {
	pc := newPortableConn(c, nil)
	pc.start()
	return pc
}

// portableConn runs a reader and a writer goroutine over a net.Conn.
//
// The reader owns its buffer while it reads; it hands the bytes over by
// setting held, calls Ready(Readable) and waits until Read has taken all of
// them. Writev copies into wq; the writer swaps wq with its own buffer,
// writes it with the lock released, and calls Ready(Writable) if a Writev
// was refused meanwhile.
//
// Close does what the kernel does for a socket: bytes Writev took are still
// sent. If the writer has any, it goes on writing them (for portableLinger
// at most) and closes the net.Conn after; otherwise Close closes it and
// waits for both goroutines.
type portableConn struct {
	notifier
	c             net.Conn
	local, remote netip.AddrPort
	poller        *portablePoller // nil for WrapConn

	mu sync.Mutex
	// Read side.
	held   []byte        // bytes read and not yet taken
	rerr   error         // the reader's error, after held
	rtaken chan struct{} // Read took all of held
	// perr is the socket's error, found by the reader while its owner had
	// not taken held (a reset under backpressure); PendingError returns it.
	perr error
	// Write side.
	wq       []byte // bytes taken by Writev, not yet given to the writer
	wspare   []byte // the writer's buffer while it is idle
	inflight int    // bytes the writer is writing
	wantW    bool   // a Writev was refused for lack of room
	shutWR   bool   // CloseWrite was called: shut down after wq is out
	werr     error  // the writer's error, returned by the next Writev
	wwake    chan struct{}
	writing  bool // the writer goroutine runs
	closing  bool // Close was called
	lingered bool // Close left the writer to flush and close c
	// detaching is set by Detach: the reader stops, keeping what it read,
	// and the writer stops once it has written everything.
	detaching  bool
	doneClosed bool // done is closed (by Close or Detach)

	done       chan struct{} // closed by Close
	readerDone chan struct{}
	writerDone chan struct{}
}

// portableLinger bounds how long a closed connection's writer goes on
// sending what Writev took.
const portableLinger = 30 * time.Second

func newPortableConn(c net.Conn, p *portablePoller) *portableConn {
	return &portableConn{
		c:          c,
		local:      addrPortOf(c.LocalAddr()),
		remote:     addrPortOf(c.RemoteAddr()),
		poller:     p,
		rtaken:     make(chan struct{}, 1),
		wwake:      make(chan struct{}, 1),
		done:       make(chan struct{}),
		readerDone: make(chan struct{}),
		writerDone: make(chan struct{}),
	}
}

func (c *portableConn) start() {
	c.writing = true
	go c.readLoop()
	go c.writeLoop()
}

func (c *portableConn) readLoop() {
	defer close(c.readerDone)
	buf := make([]byte, portableReadSize)
	for {
		n, err := c.c.Read(buf)
		if err != nil && c.closed.Load() {
			return
		}
		if n == 0 && err == nil {
			continue
		}
		c.mu.Lock()
		if c.detaching && errors.Is(err, os.ErrDeadlineExceeded) {
			// Detach stopped the Read: what it had read is handed over
			// with the connection.
			c.held = buf[:n]
			c.mu.Unlock()
			return
		}
		c.held = buf[:n]
		c.rerr = err
		c.mu.Unlock()
		c.notify(Readable)
		if err != nil {
			return
		}
		if !c.awaitTaken() {
			return
		}
	}
}

// resetCheck is how often a reader whose owner has not taken what it read
// looks whether the socket has an error pending.
const resetCheck = 20 * time.Millisecond

// awaitTaken waits until Read has taken what the reader handed over, and
// reports false when the connection is closed first. An owner that has
// stopped taking (its handler is full) would not learn of a reset until
// it took again, since the reader reads nothing meanwhile: so once the
// wait is longer than resetCheck, the reader looks every resetCheck for
// the socket's pending error, and hands it to the owner (PendingError)
// with a Readable.
func (c *portableConn) awaitTaken() bool {
	select {
	case <-c.rtaken:
		return true
	case <-c.done:
		return false
	default:
	}
	t := time.NewTimer(resetCheck)
	defer t.Stop()
	for {
		select {
		case <-c.rtaken:
			return true
		case <-c.done:
			return false
		case <-t.C:
		}
		if err := c.socketError(); err != nil {
			c.mu.Lock()
			c.perr = err
			c.mu.Unlock()
			c.notify(Readable)
			select {
			case <-c.rtaken:
				return true
			case <-c.done:
				return false
			}
		}
		t.Reset(resetCheck)
	}
}

func (c *portableConn) writeLoop() {
	defer func() {
		c.mu.Lock()
		c.writing = false
		lingered := c.lingered
		c.mu.Unlock()
		if lingered {
			c.c.Close()
		}
		close(c.writerDone)
	}()
	for {
		c.mu.Lock()
		for len(c.wq) == 0 && (!c.shutWR || c.closing) {
			if c.closing || c.detaching {
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			select {
			case <-c.wwake:
			case <-c.done:
			}
			c.mu.Lock()
		}
		buf := c.wq
		c.wq, c.wspare = c.wspare[:0], nil
		c.inflight = len(buf)
		shut := len(buf) == 0 // and shutWR, by the loop above
		c.mu.Unlock()

		var err error
		if shut {
			err = c.c.(interface{ CloseWrite() error }).CloseWrite()
		} else {
			_, err = c.c.Write(buf)
		}

		c.mu.Lock()
		c.wspare = buf[:0]
		c.inflight = 0
		wake := c.wantW
		c.wantW = false
		if err != nil {
			c.werr = err
			c.wq = nil
		}
		c.mu.Unlock()
		if err != nil || wake {
			// Tell a refused Writev there is room, or tell the owner
			// that writing has failed (Writev returns the error).
			c.notify(Writable)
		}
		if err != nil || shut {
			return
		}
	}
}

func (c *portableConn) Watch(w Watcher) error {
	// Writable from the start, like an epoll registration.
	return c.watch(w, Writable)
}

func (c *portableConn) Read(p []byte) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detaching {
		return 0, ErrClosed
	}
	if len(c.held) == 0 {
		if c.rerr != nil {
			return 0, c.rerr
		}
		return 0, ErrWouldBlock
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := copy(p, c.held)
	c.held = c.held[n:]
	if len(c.held) == 0 && c.rerr == nil {
		c.rtaken <- struct{}{} // the reader waits for it; cap 1, never full here
	}
	return n, nil
}

func (c *portableConn) Writev(bufs [][]byte) (int, error) {
	if c.closed.Load() {
		return 0, ErrClosed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detaching {
		return 0, ErrClosed
	}
	if c.werr != nil {
		return 0, c.werr
	}
	if c.shutWR {
		return 0, &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}
	}
	room := portableWriteLimit - len(c.wq) - c.inflight
	was := len(c.wq)
	n := 0
	short := false
	for _, b := range bufs {
		if len(b) > room {
			b, short = b[:room], true
		}
		c.wq = append(c.wq, b...)
		room -= len(b)
		n += len(b)
		if short {
			break
		}
	}
	if was == 0 && len(c.wq) > 0 {
		select {
		case c.wwake <- struct{}{}:
		default:
		}
	}
	if short {
		c.wantW = true
		return n, ErrWouldBlock
	}
	return n, nil
}

func (c *portableConn) CloseWrite() error {
	if c.closed.Load() {
		return ErrClosed
	}
	if _, ok := c.c.(interface{ CloseWrite() error }); !ok {
		return errors.New("poll: CloseWrite not supported by " + c.c.LocalAddr().Network() + " connection")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.detaching {
		return ErrClosed
	}
	if c.werr != nil {
		return c.werr
	}
	if !c.shutWR {
		c.shutWR = true
		select {
		case c.wwake <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *portableConn) Close() error { return c.closeConn(true) }

// PendingError is what poll.PendingError returns for the connection: its
// socket's pending error, read without reading the socket, so that a reset
// is seen while the reader waits for its bytes to be taken, or the error
// the reader read (other than EOF) once it has handed over its bytes.
func (c *portableConn) PendingError() error {
	c.mu.Lock()
	err := c.perr
	if err == nil && c.rerr != nil && !errors.Is(c.rerr, io.EOF) && !errors.Is(c.rerr, os.ErrDeadlineExceeded) {
		// The reader has read the reset itself, which the socket then no
		// longer holds: an owner that takes nothing now would never learn
		// of it.
		err = c.rerr
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.socketError()
}

// socketError reads (and clears) the socket's pending error.
func (c *portableConn) socketError() error {
	var perr error
	if c.control(func(fd int) { perr = fdPendingError(fd) }) != nil || perr == nil {
		return nil
	}
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("getsockopt", perr)}
}

// control runs f with the descriptor under the connection (TLS's too).
func (c *portableConn) control(f func(fd int)) error {
	nc := c.c
	if t, ok := nc.(interface{ NetConn() net.Conn }); ok { // TLS
		nc = t.NetConn()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return errors.New("poll: no descriptor")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	return raw.Control(func(fd uintptr) { f(int(fd)) })
}

// Unacked is what poll.Unacked returns for the connection: what its writer
// has yet to write, or else what the kernel holds unacknowledged.
func (c *portableConn) Unacked() (int, bool) {
	c.mu.Lock()
	pending := len(c.wq) + c.inflight
	c.mu.Unlock()
	if pending > 0 {
		return pending, true
	}
	n, known := 0, false
	if c.control(func(fd int) { n, known = fdUnacked(fd) }) != nil {
		return 0, false
	}
	return n, known
}

// closeConn closes c; with linger, bytes still to write are sent first, in
// the background.
func (c *portableConn) closeConn(linger bool) error {
	if !c.close() {
		return ErrClosed
	}
	if c.poller != nil {
		defer c.poller.untrack(c)
	}
	c.mu.Lock()
	c.closing = true
	// As the kernel does: closing with input left unread is abortive (the
	// peer gets a reset), so nothing more is sent.
	unread := len(c.held) > 0
	linger = linger && !unread && c.writing && (len(c.wq) > 0 || c.inflight > 0) &&
		c.c.SetWriteDeadline(time.Now().Add(portableLinger)) == nil &&
		c.c.SetReadDeadline(aLongTimeAgo) == nil
	c.lingered = linger
	shut := !c.doneClosed
	c.doneClosed = true
	c.mu.Unlock()
	if shut {
		close(c.done)
	}
	if linger {
		<-c.readerDone // stopped by the read deadline
		return nil
	}
	if unread {
		if tc, ok := c.c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with a reset, as the kernel would
		}
	}
	err := c.c.Close()
	<-c.readerDone
	<-c.writerDone
	return err
}

// detach stops the reader and the writer without losing a byte and
// returns the net.Conn (see Detach).
func (c *portableConn) detach() (net.Conn, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	c.mu.Lock()
	if c.closing || c.detaching {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.detaching = true
	c.mu.Unlock()
	// A deadline in the past ends the Read the reader is blocked in (it
	// keeps what that Read returned); done wakes the reader waiting for
	// its bytes to be taken and the writer waiting for work, which writes
	// what it holds first.
	if err := c.c.SetReadDeadline(aLongTimeAgo); err != nil {
		c.closeConn(false)
		return nil, fmt.Errorf("poll: Detach: stopping the reader goroutine: %w", err)
	}
	c.mu.Lock()
	shut := !c.doneClosed
	c.doneClosed = true
	c.mu.Unlock()
	if shut {
		close(c.done)
	}
	<-c.readerDone
	<-c.writerDone

	c.mu.Lock()
	closing, werr := c.closing, c.werr
	c.mu.Unlock()
	switch {
	case closing: // Close came meanwhile, and closed c.c
		return nil, ErrClosed
	case werr != nil:
		c.closeConn(false)
		return nil, werr
	}
	if !c.close() { // Close came just now: it closes c.c
		return nil, ErrClosed
	}
	if c.poller != nil {
		c.poller.untrack(c)
	}
	// The goroutines are gone: nothing else uses these fields now.
	held, rerr := c.held, c.rerr
	c.held, c.rerr = nil, nil
	if err := c.c.SetReadDeadline(time.Time{}); err != nil {
		c.c.Close()
		return nil, fmt.Errorf("poll: Detach: clearing the read deadline: %w", err)
	}
	if len(held) == 0 && rerr == nil {
		return c.c, nil
	}
	return &detachedConn{Conn: c.c, held: held, err: rerr}, nil
}

// aLongTimeAgo is a deadline in the past: it wakes a blocked Read at once.
var aLongTimeAgo = time.Unix(1, 0)

func (c *portableConn) LocalAddr() netip.AddrPort  { return c.local }
func (c *portableConn) RemoteAddr() netip.AddrPort { return c.remote }

// addrPortOf converts a net.Addr to a netip.AddrPort, with IPv4-mapped
// addresses unmapped; it is the zero AddrPort for a non-IP address.
func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case nil:
		return netip.AddrPort{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
