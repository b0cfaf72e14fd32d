//go:build linux

package poll

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// epollBatch is how many events one epoll_wait returns at most.
const epollBatch = 128

// NewEpoll returns a Poller of loops epoll event loops (0 means
// runtime.GOMAXPROCS), each an epoll instance and a goroutine that delivers
// its events. Its sockets are made with raw system calls (non-blocking,
// close-on-exec) and never touch Go's netpoller; each connection is
// registered once, edge-triggered, with one loop, chosen round-robin, and
// each listener with two loops, in an epoll of listeners that a loop
// looks at ahead of its other events, so that a new connection never
// waits behind them.
//
// Listen binds ":port" (no host) to the IPv6 wildcard with IPV6_V6ONLY off,
// so one socket takes both IPv4 and IPv6 clients (IPv4 ones appear with
// their plain IPv4 addresses); to the IPv4 wildcard if the host has no
// IPv6, or for "tcp4"; and IPv6 only for "tcp6". "0.0.0.0:port" is IPv4
// only. A host name is resolved and the first address (IPv4 first, for
// "tcp") is bound. Accepted and dialled connections have TCP_NODELAY set.
//
// Close stops the loops and closes every socket the Poller made that is
// still open.
func NewEpoll(loops int) (Poller, error) { return NewEpollDispatch(loops, nil) }

// NewEpollDispatch is NewEpoll whose loops each hand their events to a
// Dispatcher of their own, made by newDispatcher, instead of to the
// Watchers (nil newDispatcher: to the Watchers). What a Dispatcher's Flush
// runs must not close the Poller: Close waits for the loops to stop.
func NewEpollDispatch(loops int, newDispatcher func() Dispatcher) (Poller, error) {
	if loops <= 0 {
		loops = runtime.GOMAXPROCS(0)
	}
	p := &epollPoller{}
	for range loops {
		l, err := newEventLoop(p)
		if err != nil {
			for _, l := range p.loops {
				l.closeFDs()
			}
			return nil, err
		}
		if newDispatcher != nil {
			l.sink = newDispatcher()
		}
		p.loops = append(p.loops, l)
	}
	p.wg.Add(len(p.loops))
	for _, l := range p.loops {
		go l.run()
	}
	return p, nil
}

type epollPoller struct {
	loops     []*eventLoop
	next      atomic.Uint32 // round-robin loop choice
	slots     slotTable
	closing   atomic.Bool
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// eventLoop is one epoll instance and the goroutine that waits on it. The
// eventfd, registered in the same epoll, wakes it to stop.
type eventLoop struct {
	p      *epollPoller
	epfd   int
	wakefd int
	// lnfd is an epoll of the Poller's listeners (each is in two loops'),
	// itself in epfd. A new connection is seen by the next epoll_wait of
	// either loop that watches its listener, ahead of the events before
	// it: in epfd it would wait behind every event already ready there,
	// which in a mass close are thousands of hang-ups, each a close to
	// make.
	lnfd   int
	lnev   []unix.EpollEvent
	file   *os.File   // epfd, registered in Go's netpoller
	sink   Dispatcher // nil: events go to the Watchers
	events []unix.EpollEvent
}

func newEventLoop(p *epollPoller) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	l := &eventLoop{p: p, epfd: epfd, wakefd: wakefd, lnfd: -1, events: make([]unix.EpollEvent, epollBatch), lnev: make([]unix.EpollEvent, 8)}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1} // wakeSlot
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd, &ev); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	if l.lnfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	ev = unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: -2} // listenSlot
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, l.lnfd, &ev); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	// Non-blocking, so that os.NewFile puts it in Go's netpoller.
	if err := unix.SetNonblock(epfd, true); err != nil {
		l.closeFDs()
		return nil, os.NewSyscallError("fcntl", err)
	}
	l.file = os.NewFile(uintptr(epfd), "epoll")
	return l, nil
}

func (l *eventLoop) closeFDs() {
	unix.Close(l.wakefd)
	if l.lnfd >= 0 {
		unix.Close(l.lnfd)
	}
	if l.file != nil {
		l.file.Close()
	} else {
		unix.Close(l.epfd)
	}
}

// run waits for events and delivers them until the Poller closes.
//
// It does not block a thread in epoll_wait: the epoll fd is itself
// registered in Go's netpoller (an epoll fd is readable when events wait),
// and the loop parks there like any network goroutine, then drains its
// epoll with non-blocking epoll_waits. A thread blocked in epoll_wait keeps
// its P until sysmon retakes it, 20 µs or more later, which with
// GOMAXPROCS loops left the woken components without a P: a 64-byte round
// trip took 28 µs that way, 8 µs this way.
//
// Nested epoll needs a kernel without the lost-wakeup regression of Linux
// 5.11 (fixed by "fs/epoll: restore waking from ep_done_scan()").
func (l *eventLoop) run() {
	defer l.p.wg.Done()
	rc, err := l.file.SyscallConn()
	if err != nil {
		panic(fmt.Sprintf("poll: epoll fd: %v", err))
	}
	err = rc.Read(func(uintptr) bool {
		for {
			n, stop := l.drain()
			if l.sink != nil && n > 0 {
				l.sink.Flush()
			}
			if stop {
				return true
			}
			if n < len(l.events) {
				return false
			}
			// More waits: let the goroutines this batch woke (workers)
			// have the P before the next batch, rather than wait for
			// the loop to be preempted, 10 ms on.
			runtime.Gosched()
		}
	})
	if err != nil {
		panic(fmt.Sprintf("poll: epoll fd: %v", err))
	}
}

// drain delivers the events waiting in the epoll, up to epollBatch of them,
// to the loop's Dispatcher or else to the Watchers, after those of the
// listeners when there may be some: when the epoll of listeners was
// ready, or when the batch is full and more may wait behind it. It
// reports how many events there were, and whether the Poller is closing.
func (l *eventLoop) drain() (n int, stop bool) {
	n = l.poll(l.epfd, l.events)
	listeners := n == len(l.events)
	for i := range n {
		if uint32(l.events[i].Fd) == listenSlot {
			listeners = true
			break
		}
	}
	if listeners {
		for {
			k := l.poll(l.lnfd, l.lnev)
			for i := range k {
				l.deliver(&l.lnev[i])
			}
			if k < len(l.lnev) {
				break
			}
		}
	}
	for i := range n {
		switch ev := &l.events[i]; uint32(ev.Fd) {
		case wakeSlot:
			stop = stop || l.p.closing.Load()
		case listenSlot:
		default:
			l.deliver(ev)
		}
	}
	return n, stop
}

// deliver hands ev to its socket, unless the socket has gone.
func (l *eventLoop) deliver(ev *unix.EpollEvent) {
	if s := l.p.slots.lookup(uint32(ev.Fd), uint32(ev.Pad)); s != nil {
		s.deliver(ev.Events, l.sink)
	}
}

// poll is a non-blocking epoll_wait on epfd.
func (l *eventLoop) poll(epfd int, events []unix.EpollEvent) int {
	for {
		n, err := epollPoll(epfd, events)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			panic(fmt.Sprintf("poll: epoll_wait: %v", err))
		}
		return n
	}
}

func (l *eventLoop) wake() {
	var one = [8]byte{1} // a native-endian uint64 1 on little-endian; any non-zero value wakes
	unix.Write(l.wakefd, one[:])
}

func epollEvents(e uint32) Events {
	var ev Events
	if e&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= Readable
	}
	if e&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		ev |= Writable
	}
	return ev
}

// register gives s a slot and a loop and adds its descriptor to that loop's
// epoll, edge-triggered, for good. s.mu is held throughout, so that a
// Poller.Close that finds s in the table waits until s is in epoll before
// closing it.
func (p *epollPoller) register(s *esock) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := p.slots.add(s); err != nil {
		return err
	}
	s.loop = p.loops[p.next.Add(1)%uint32(len(p.loops))]
	ev := unix.EpollEvent{
		Events: unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDHUP | unix.EPOLLET,
		Fd:     int32(s.slot),
		Pad:    int32(s.gen),
	}
	if err := unix.EpollCtl(s.loop.epfd, unix.EPOLL_CTL_ADD, int(s.fd), &ev); err != nil {
		p.slots.remove(s)
		s.loop = nil
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// registerListener gives s, a listener, a slot and adds it to the epoll of
// listeners of listenLoops loops (all of them, when there are no more),
// edge-triggered, for good: the first of them to look takes its new
// connections, which then go to any loop, round-robin, as dialled ones do.
func (p *epollPoller) registerListener(s *esock) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := p.slots.add(s); err != nil {
		return err
	}
	first := int(p.next.Add(1) % uint32(len(p.loops)))
	s.loop = p.loops[first]
	ev := unix.EpollEvent{
		Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET,
		Fd:     int32(s.slot),
		Pad:    int32(s.gen),
	}
	for i := range min(len(p.loops), listenLoops) {
		l := p.loops[(first+i)%len(p.loops)]
		if err := unix.EpollCtl(l.lnfd, unix.EPOLL_CTL_ADD, int(s.fd), &ev); err != nil {
			p.slots.remove(s)
			s.loop = nil
			return os.NewSyscallError("epoll_ctl", err)
		}
	}
	return nil
}

// listenLoops is how many loops watch each listener: a new connection
// wakes each of them that is parked, so with one loop a CPU, all of them
// would wake for every connection; two let a connection be seen by the
// other loop while one makes a long batch of closes.
const listenLoops = 2

func (p *epollPoller) Close() error {
	p.closeOnce.Do(func() {
		p.closing.Store(true)
		for _, s := range p.slots.close() {
			s.Close()
		}
		for _, l := range p.loops {
			l.wake()
		}
		p.wg.Wait()
		for _, l := range p.loops {
			l.closeFDs()
		}
	})
	return nil
}

// esock is what listeners and connections share: the descriptor, its
// registration and the Watcher.
//
// mu orders the descriptor's uses against Close: Read, Writev, Accept and
// the event loop's deliveries hold it shared; Watch and Close hold it
// exclusively. So after Close has returned, no Ready is running or will run
// (a loop that fetched an event before Close finds closed set, or the slot
// emptied), and no system call uses the descriptor number, which the
// kernel may already have given to a new socket.
//
// A connection costs one, so the fields are packed: 80 bytes.
type esock struct {
	mu sync.RWMutex
	w  Watcher // under mu
	// connected is Dial's wake-up while it waits for the connection, nil
	// otherwise.
	connected chan struct{}
	loop      *eventLoop // the loop (and through it the poller) that watches fd
	fd        int32
	pending   atomic.Uint32 // events seen before Watch
	slot, gen uint32        // set by slotTable.add, then fixed
	closed    bool          // under mu
	network   netKind       // of a connection: for its errors
	ended     atomic.Bool   // the peer's FIN, a hang-up or an error was reported
}

// netKind is "tcp", "tcp4" or "tcp6", in a byte.
type netKind uint8

const (
	netTCP netKind = iota
	netTCP4
	netTCP6
)

func netKindOf(network string) netKind {
	switch network {
	case "tcp4":
		return netTCP4
	case "tcp6":
		return netTCP6
	}
	return netTCP
}

func (k netKind) String() string { return [...]string{"tcp", "tcp4", "tcp6"}[k] }

// deliver runs on the event loop, with epoll's event bits: it tells sink,
// or the Watcher itself when sink is nil.
func (s *esock) deliver(raw uint32, sink Dispatcher) {
	if raw&(unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		// Read must now go on to the EOF or the error, even after a
		// short read: no further edge may come.
		s.ended.Store(true)
	}
	ev := epollEvents(raw)
	s.mu.RLock()
	switch {
	case s.closed:
	case s.w != nil:
		if sink != nil {
			sink.Deliver(s.w, ev)
		} else {
			s.w.Ready(ev)
		}
	default:
		s.pending.Or(uint32(ev))
		if s.connected != nil {
			select {
			case s.connected <- struct{}{}:
			default:
			}
		}
	}
	s.mu.RUnlock()
}

func (s *esock) Watch(w Watcher) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.w != nil:
		return errWatched
	case w == nil:
		return fmt.Errorf("poll: Watch with a nil Watcher")
	}
	s.w = w
	// The registration's first edges may have come before Watch: hand them
	// over (a spurious Ready is allowed, a lost one is not).
	if ev := Events(s.pending.Swap(0)); ev != 0 {
		w.Ready(ev)
	}
	return nil
}

// Unacked is what poll.Unacked returns for the socket.
func (s *esock) Unacked() (int, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, false
	}
	return fdUnacked(int(s.fd))
}

func (s *esock) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	if s.connected != nil {
		select {
		case s.connected <- struct{}{}:
		default:
		}
	}
	// No EPOLL_CTL_DEL: closing the descriptor takes it out of the epoll,
	// the descriptor being ours alone (SOCK_CLOEXEC). A child process
	// between fork and exec may hold it open a moment longer; an event it
	// brings finds the slot's generation changed, and is dropped.
	err := unix.Close(int(s.fd))
	if s.loop != nil {
		s.loop.p.slots.remove(s)
	}
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// elistener is a listening socket.
type elistener struct {
	esock
	network string
	addr    netip.AddrPort
}

func (p *epollPoller) Listen(network, address string, cfg ListenConfig) (Listener, error) {
	if p.closing.Load() {
		return nil, ErrClosed
	}
	la, err := resolveListenAddr(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	opErr := func(syscall string, err error) error {
		return &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(la.addr), Err: os.NewSyscallError(syscall, err)}
	}
	sa, family := sockaddrOf(la.addr)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, opErr("socket", err)
	}
	if err := listenFD(fd, family, la.v6only, sa, cfg.Backlog); err != nil {
		unix.Close(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(la.addr), Err: err}
	}
	bound, err := getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, opErr("getsockname", err)
	}
	l := &elistener{esock: esock{fd: int32(fd)}, network: network, addr: bound}
	if err := p.registerListener(&l.esock); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return l, nil
}

func listenFD(fd, family int, v6only bool, sa unix.Sockaddr, backlog int) error {
	if family == unix.AF_INET6 {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, boolInt(v6only)); err != nil {
			return os.NewSyscallError("setsockopt", err)
		}
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		return os.NewSyscallError("bind", err)
	}
	if backlog <= 0 {
		backlog = defaultBacklog()
	}
	if err := unix.Listen(fd, backlog); err != nil {
		return os.NewSyscallError("listen", err)
	}
	return nil
}

func (l *elistener) Accept() (Conn, error) {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return nil, ErrClosed
	}
	var (
		nfd    int
		remote netip.AddrPort
		err    error
	)
	for {
		nfd, remote, err = accept4(int(l.fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != unix.EINTR {
			break
		}
	}
	l.mu.RUnlock()
	if err != nil {
		if err == unix.EAGAIN {
			return nil, ErrWouldBlock
		}
		return nil, &net.OpError{Op: "accept", Net: l.network, Addr: tcpAddr(l.addr), Err: os.NewSyscallError("accept4", err)}
	}
	unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	local := l.addr
	if local.Addr().IsUnspecified() {
		if a, err := getsockname(nfd); err == nil {
			local = a
		}
	}
	c := &econn{esock: esock{fd: int32(nfd), network: netKindOf(l.network)}, local: local, remote: remote}
	if err := l.loop.p.register(&c.esock); err != nil {
		unix.Close(nfd)
		return nil, err
	}
	return c, nil
}

func (l *elistener) Addr() netip.AddrPort { return l.addr }

// econn is a connected socket.
type econn struct {
	esock
	local, remote netip.AddrPort
}

func (c *econn) LocalAddr() netip.AddrPort  { return c.local }
func (c *econn) RemoteAddr() netip.AddrPort { return c.remote }

func (c *econn) opError(op, syscall string, err error) error {
	return &net.OpError{Op: op, Net: c.network.String(), Source: tcpAddr(c.local), Addr: tcpAddr(c.remote), Err: os.NewSyscallError(syscall, err)}
}

// PendingError is what poll.PendingError returns for the connection: its
// socket's SO_ERROR.
func (c *econn) PendingError() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil
	}
	n, err := unix.GetsockoptInt(int(c.fd), unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil || n == 0 {
		return nil
	}
	return c.opError("read", "getsockopt", unix.Errno(n))
}

func (c *econn) CloseWrite() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	if err := unix.Shutdown(int(c.fd), unix.SHUT_WR); err != nil {
		return c.opError("close", "shutdown", err)
	}
	return nil
}

// detach hands the socket over to Go's netpoller (see Detach): a duplicate
// of its descriptor becomes the net.Conn, then c is closed. Nothing is lost:
// unread input stays in the kernel, and Writev has written what it took.
func (c *econn) detach() (net.Conn, error) {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return nil, ErrClosed
	}
	fd, err := unix.FcntlInt(uintptr(c.fd), unix.F_DUPFD_CLOEXEC, 0)
	c.mu.RUnlock()
	if err != nil {
		c.Close()
		return nil, c.opError("detach", "fcntl", err)
	}
	f := os.NewFile(uintptr(fd), "tcp")
	nc, err := net.FileConn(f) // a descriptor of its own, in Go's netpoller
	f.Close()
	if err != nil {
		c.Close()
		return nil, &net.OpError{Op: "detach", Net: c.network.String(), Source: tcpAddr(c.local), Addr: tcpAddr(c.remote), Err: err}
	}
	// Closing c's descriptor (and taking it out of epoll) leaves the socket
	// open through nc's: no reset, and its input stays.
	if err := c.Close(); err != nil {
		nc.Close() // a Close came first: the connection is closed
		return nil, err
	}
	return nc, nil
}

func (p *epollPoller) Dial(ctx context.Context, network, address string) (Conn, error) {
	if p.closing.Load() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	addrs, err := resolveDialAddrs(ctx, network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var first error
	for _, ap := range addrs {
		c, err := p.dialOne(ctx, network, ap)
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil || err == ErrClosed {
			break
		}
	}
	return nil, first
}

// dialOne connects to one address: a non-blocking connect, then a wait for
// the registration's first event (or ctx), then SO_ERROR.
func (p *epollPoller) dialOne(ctx context.Context, network string, ap netip.AddrPort) (Conn, error) {
	opErr := func(syscall string, err error) error {
		if syscall != "" {
			err = os.NewSyscallError(syscall, err)
		}
		return &net.OpError{Op: "dial", Net: network, Addr: tcpAddr(ap), Err: err}
	}
	sa, family := sockaddrOf(ap)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, opErr("socket", err)
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &econn{esock: esock{fd: int32(fd), connected: make(chan struct{}, 1), network: netKindOf(network)}, remote: ap}
	if err := p.register(&c.esock); err != nil {
		unix.Close(fd)
		return nil, err
	}
	switch err := unix.Connect(fd, sa); err {
	case nil, unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
	default:
		c.Close()
		return nil, opErr("connect", err)
	}
	for {
		c.mu.RLock()
		if c.closed {
			c.mu.RUnlock()
			return nil, ErrClosed
		}
		soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		var peerErr error
		if err == nil && soerr == 0 {
			_, peerErr = unix.Getpeername(fd)
		}
		c.mu.RUnlock()
		if err != nil {
			c.Close()
			return nil, opErr("getsockopt", err)
		}
		switch errno := unix.Errno(soerr); {
		case errno == 0 && peerErr == nil:
			return c.established()
		case errno == 0 && peerErr != unix.ENOTCONN:
			c.Close()
			return nil, opErr("getpeername", peerErr)
		case errno != 0 && errno != unix.EINPROGRESS && errno != unix.EALREADY && errno != unix.EINTR:
			c.Close()
			return nil, opErr("connect", errno)
		}
		select {
		case <-c.connected:
		case <-ctx.Done():
			c.Close()
			return nil, opErr("", ctx.Err())
		}
	}
}

func (c *econn) established() (Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	c.connected = nil
	if a, err := getsockname(int(c.fd)); err == nil {
		c.local = a
	}
	return c, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
