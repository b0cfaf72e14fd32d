package poll_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// waitLimit bounds every wait for an event in the suite; a lost wake-up
// fails the test rather than hanging it.
const waitLimit = 10 * time.Second

type pollerCase struct {
	name string
	new  func() (poll.Poller, error)
}

func pollerCases() []pollerCase {
	return []pollerCase{
		{"epoll", func() (poll.Poller, error) { return poll.NewEpoll(2) }},
		{"epoll-dispatch", func() (poll.Poller, error) {
			return poll.NewEpollDispatch(2, func() poll.Dispatcher { return &forwarder{} })
		}},
		{"portable", func() (poll.Poller, error) { return poll.NewPortable(), nil }},
	}
}

// forwarder is a Dispatcher that tells the Watchers at once, so that the
// whole suite runs through a loop's Dispatcher. Its state is the loop's
// alone: the race detector checks that Deliver and Flush stay there.
type forwarder struct{ delivered, flushed int }

func (f *forwarder) Deliver(w poll.Watcher, ev poll.Events) {
	f.delivered++
	w.Ready(ev)
}

func (f *forwarder) Flush() { f.flushed = f.delivered }

// forEachPoller runs f as a subtest per Poller, with a fresh Poller closed
// at the end. A Poller the platform lacks (epoll off Linux) is skipped.
func forEachPoller(t *testing.T, f func(t *testing.T, p poll.Poller)) {
	t.Helper()
	for _, pc := range pollerCases() {
		t.Run(pc.name, func(t *testing.T) {
			p, err := pc.new()
			if err != nil {
				t.Skipf("%s: %v", pc.name, err)
			}
			t.Cleanup(func() { require.NoError(t, p.Close()) })
			f(t, p)
		})
	}
}

// watcher records the events it is told of. After closed is set (right
// after the socket's Close returned) any Ready fails the test.
type watcher struct {
	t      testing.TB
	mask   atomic.Uint32
	sig    chan struct{}
	calls  atomic.Int64
	closed atomic.Bool
}

func newWatcher(t testing.TB) *watcher {
	return &watcher{t: t, sig: make(chan struct{}, 1)}
}

func (w *watcher) Ready(ev poll.Events) {
	if w.closed.Load() {
		w.t.Errorf("Ready(%b) after Close returned", ev)
	}
	w.calls.Add(1)
	w.mask.Or(uint32(ev))
	select {
	case w.sig <- struct{}{}:
	default:
	}
}

// take returns and clears the events in want seen so far.
func (w *watcher) take(want poll.Events) poll.Events {
	return poll.Events(w.mask.And(^uint32(want))) & want
}

// wait returns (and clears) the events in want, waiting for one if none was
// seen; it fails the test after waitLimit.
func (w *watcher) wait(want poll.Events) poll.Events {
	w.t.Helper()
	ev, ok := w.waitOr(want, nil)
	if !ok {
		w.t.Fatalf("no Ready(%b) within %v", want, waitLimit)
	}
	return ev
}

// waitOr is wait that gives up (ok false) when stop is closed or after
// waitLimit. It does not fail the test, so it may run in any goroutine.
func (w *watcher) waitOr(want poll.Events, stop <-chan struct{}) (poll.Events, bool) {
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		if ev := w.take(want); ev != 0 {
			return ev, true
		}
		select {
		case <-w.sig:
		case <-stop:
			return 0, false
		case <-timer.C:
			return 0, false
		}
	}
}

// listen listens on address and watches the listener.
func listen(t *testing.T, p poll.Poller, address string) (poll.Listener, *watcher) {
	t.Helper()
	l, err := p.Listen("tcp", address, poll.ListenConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	w := newWatcher(t)
	require.NoError(t, l.Watch(w))
	return l, w
}

// accept waits for one connection and watches it.
func accept(t *testing.T, l poll.Listener, lw *watcher) (poll.Conn, *watcher) {
	t.Helper()
	for {
		c, err := l.Accept()
		switch {
		case err == nil:
			t.Cleanup(func() { c.Close() })
			w := newWatcher(t)
			require.NoError(t, c.Watch(w))
			return c, w
		case errors.Is(err, poll.ErrWouldBlock), poll.IsTemporary(err):
			lw.wait(poll.Readable)
		default:
			t.Fatalf("Accept: %v", err)
		}
	}
}

// dialStd connects with the standard library, closed at the end of the test.
func dialStd(t testing.TB, l poll.Listener) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", l.Addr().String(), waitLimit)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(waitLimit)))
	return c.(*net.TCPConn)
}

// pair returns a watched server Conn and the standard-library client
// connected to it.
func pair(t *testing.T, p poll.Poller) (poll.Conn, *watcher, *net.TCPConn) {
	t.Helper()
	l, lw := listen(t, p, "127.0.0.1:0")
	client := dialStd(t, l)
	c, w := accept(t, l, lw)
	return c, w, client
}

// readN reads exactly n bytes from c, waiting for Readable as needed.
func readN(t *testing.T, c poll.Conn, w *watcher, n int) []byte {
	t.Helper()
	got := make([]byte, 0, n)
	buf := make([]byte, 32<<10)
	for len(got) < n {
		k, err := c.Read(buf[:min(len(buf), n-len(got))])
		got = append(got, buf[:k]...)
		switch {
		case err == nil:
		case errors.Is(err, poll.ErrWouldBlock):
			w.wait(poll.Readable)
		default:
			t.Fatalf("Read after %d of %d bytes: %v", len(got), n, err)
		}
	}
	return got
}

// readToEOF reads from c until io.EOF.
func readToEOF(t *testing.T, c poll.Conn, w *watcher) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 32<<10)
	for {
		k, err := c.Read(buf)
		got = append(got, buf[:k]...)
		switch {
		case err == nil:
		case err == io.EOF:
			return got
		case errors.Is(err, poll.ErrWouldBlock):
			w.wait(poll.Readable)
		default:
			t.Fatalf("Read after %d bytes: %v", len(got), err)
		}
	}
}

// advance drops the first n bytes of bufs, without touching the caller's
// slice.
func advance(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		if n < len(bufs[0]) {
			rest := append([][]byte{bufs[0][n:]}, bufs[1:]...)
			return rest
		}
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs
}

// writeAll writes bufs to c, waiting for Writable as needed.
func writeAll(t *testing.T, c poll.Conn, w *watcher, bufs ...[]byte) {
	t.Helper()
	require.NoError(t, writeAllErr(c, w, bufs...))
}

// writeAllErr is writeAll for any goroutine.
func writeAllErr(c poll.Conn, w *watcher, bufs ...[]byte) error {
	for len(bufs) > 0 {
		n, err := c.Writev(bufs)
		bufs = advance(bufs, n)
		switch {
		case err == nil:
			if len(bufs) > 0 {
				return errors.New("Writev returned no error but took only part")
			}
		case errors.Is(err, poll.ErrWouldBlock):
			if _, ok := w.waitOr(poll.Writable, nil); !ok {
				return errors.New("no Writable (lost wake-up?)")
			}
		default:
			return err
		}
	}
	return nil
}

// pattern is n bytes that differ with their offset, so that lost, repeated
// or reordered bytes show.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte((seed + i) % 251)
	}
	return b
}

// shuttle drives one Conn as a test-only state machine: it sends send (as
// chunks of various sizes, through Writev), half-closes, and reads until
// EOF, reading and writing as readiness allows. It returns what it read.
// It runs in its own goroutine: it reports through its result.
func shuttle(c poll.Conn, w *watcher, send []byte, stop <-chan struct{}) ([]byte, error) {
	var got []byte
	buf := make([]byte, 16<<10)
	readBlocked, writeBlocked, eof, shut := false, false, false, false
	for !eof || !shut {
		progress := false
		if !eof && !readBlocked {
			n, err := c.Read(buf)
			got = append(got, buf[:n]...)
			switch {
			case err == nil:
				progress = true
			case err == io.EOF:
				eof, progress = true, true
			case errors.Is(err, poll.ErrWouldBlock):
				readBlocked = true
			default:
				return got, err
			}
		}
		if len(send) > 0 && !writeBlocked {
			// Three buffers of different sizes per call.
			a := min(len(send), 1000)
			b := min(len(send)-a, 7000)
			c3 := min(len(send)-a-b, 30000)
			n, err := c.Writev([][]byte{send[:a], send[a : a+b], send[a+b : a+b+c3]})
			send = send[n:]
			switch {
			case err == nil:
				progress = true
			case errors.Is(err, poll.ErrWouldBlock):
				writeBlocked = true
			default:
				return got, err
			}
		}
		if len(send) == 0 && !shut {
			if err := c.CloseWrite(); err != nil {
				return got, err
			}
			shut, progress = true, true
		}
		if progress {
			continue
		}
		ev, ok := w.waitOr(poll.Readable|poll.Writable, stop)
		if !ok {
			return got, errors.New("shuttle: no progress (lost wake-up?)")
		}
		if ev&poll.Readable != 0 {
			readBlocked = false
		}
		if ev&poll.Writable != 0 {
			writeBlocked = false
		}
	}
	return got, nil
}

// echo drives one Conn as an echo server: what it reads it writes back,
// holding at most limit bytes (it stops reading, backpressure, while it
// cannot write them); at EOF it flushes and half-closes.
func echo(c poll.Conn, w *watcher, stop <-chan struct{}) error {
	const limit = 256 << 10
	var out []byte
	buf := make([]byte, 16<<10)
	readBlocked, writeBlocked, eof := false, false, false
	for {
		progress := false
		if !eof && !readBlocked && len(out) < limit {
			n, err := c.Read(buf)
			out = append(out, buf[:n]...)
			switch {
			case err == nil:
				progress = true
			case err == io.EOF:
				eof, progress = true, true
			case errors.Is(err, poll.ErrWouldBlock):
				readBlocked = true
			default:
				return err
			}
		}
		if len(out) > 0 && !writeBlocked {
			n, err := c.Writev([][]byte{out})
			out = out[n:]
			switch {
			case err == nil:
				progress = true
			case errors.Is(err, poll.ErrWouldBlock):
				writeBlocked = true
			default:
				return err
			}
		}
		if eof && len(out) == 0 {
			return c.CloseWrite()
		}
		if progress {
			continue
		}
		ev, ok := w.waitOr(poll.Readable|poll.Writable, stop)
		if !ok {
			return errors.New("echo: no progress (lost wake-up?)")
		}
		if ev&poll.Readable != 0 {
			readBlocked = false
		}
		if ev&poll.Writable != 0 {
			writeBlocked = false
		}
	}
}

// stdRoundTrip sends payload on a standard connection while reading the
// same number of bytes back, then half-closes and expects EOF.
func stdRoundTrip(c *net.TCPConn, payload []byte) error {
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(payload)
		if err == nil {
			err = c.CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if werr := <-errc; werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(got, payload) {
		return errors.New("echoed bytes differ")
	}
	return nil
}

func ctxTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

func hasIPv6(t testing.TB) bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
}
