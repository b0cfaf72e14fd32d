package chassis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
)

const deadline = 10 * time.Second

// quiet keeps expected failures (panics, resets) out of the test output.
var quiet = axon.WithLogger(slog.New(slog.DiscardHandler))

// serve starts a ServerCore on addr in a runtime that the test shuts down.
func serve(t *testing.T, addr string, f chassis.Factory, opts chassis.ServerOptions) *chassis.ServerCore {
	t.Helper()
	srv, err := chassis.NewServerCore(addr, f, opts)
	require.NoError(t, err)
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(srv))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return srv
}

func dial(t *testing.T, srv *chassis.ServerCore) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	return c.(*net.TCPConn)
}

func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	_, err := c.Write([]byte(msg))
	require.NoError(t, err)
	got := make([]byte, len(msg))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, msg, string(got))
}

func TestEchoOverIPv4AndIPv6(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			srv := serve(t, addr, chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
			c := dial(t, srv)
			for i := range 100 {
				roundTrip(t, c, fmt.Sprintf("message %d\n", i))
			}
		})
	}
}

// B6: a bind failure is returned, not swallowed.
func TestBindErrorIsReturned(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	_, err := chassis.NewServerCore(srv.Addr().String(), chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), srv.Addr().String())
}

// B9: a client that sends 4 MiB then closes its side gets all 4 MiB back
// before the connection closes.
func TestHalfCloseGetsEveryReply(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	c := dial(t, srv)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16)
	var got []byte
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		got, readErr = io.ReadAll(c)
	}()
	_, err := c.Write(data)
	require.NoError(t, err)
	require.NoError(t, c.CloseWrite())
	wg.Wait()
	require.NoError(t, readErr)
	require.Equal(t, len(data), len(got))
	require.True(t, bytes.Equal(data, got), "every byte, in order")
}

// B3: clients that reset mid-send close only their connections.
func TestResetsDoNotTakeTheServerDown(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
			if err != nil {
				return
			}
			tc := c.(*net.TCPConn)
			_, _ = tc.Write(bytes.Repeat([]byte{byte(i)}, 32<<10))
			_ = tc.SetLinger(0) // close with RST
			_ = tc.Close()
		}()
	}
	wg.Wait()
	c := dial(t, srv)
	roundTrip(t, c, "still serving\n")
}

// B11: a client that sends and never reads cannot make the server hold
// more than its bounded queues: the client's writes stall.
func TestSlowReaderIsBounded(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		HandlerGrace: 100 * time.Millisecond,
		Conn:         internet.ConnOptions{CloseTimeout: 100 * time.Millisecond},
	})
	c := dial(t, srv)
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(2*time.Second)))
	chunk := make([]byte, 64<<10)
	written := 0
	for written < 256<<20 {
		n, err := c.Write(chunk)
		written += n
		if err != nil {
			var ne net.Error
			require.True(t, errors.As(err, &ne) && ne.Timeout(), "the write stalls: %v", err)
			break
		}
	}
	// Kernel buffers on both sides hold a few MiB; the server's own queues
	// a couple more. Without backpressure this would reach 256 MiB.
	assert.Less(t, written, 32<<20, "bytes accepted from a client that never reads")
	t.Logf("a client that never reads could write %d KiB", written>>10)
}

// B7 on a server: a handler's panic closes its connection only.
func TestHandlerPanicClosesOnlyItsConnection(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewBomb), chassis.ServerOptions{})
	good, bad := dial(t, srv), dial(t, srv)
	roundTrip(t, good, "hello\n")
	_, err := bad.Write([]byte("boom"))
	require.NoError(t, err)
	_, err = io.ReadAll(bad)
	require.NoError(t, err, "the bomb's connection is closed")
	roundTrip(t, good, "still here\n")
	roundTrip(t, dial(t, srv), "new connection\n")
}

// L4: a handler that ignores its control inbox is stopped once its
// connection has closed and the grace period is over.
func TestDeafHandlerIsStopped(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewDeaf), chassis.ServerOptions{HandlerGrace: 50 * time.Millisecond})
	c := dial(t, srv)
	roundTrip(t, c, "hi\n")
	require.Eventually(t, func() bool { return srv.Connections() == 1 }, deadline, time.Millisecond)
	require.NoError(t, c.Close())
	require.Eventually(t, func() bool { return srv.Connections() == 0 }, deadline, time.Millisecond,
		"the deaf handler is stopped after its grace")
}

// Cookbook example 2: the message of the day, then the server closes.
func TestMessageOfTheDay(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewCloser("Hello, this is the message of the day\nBye Bye!", false)
	}, chassis.ServerOptions{})
	for range 3 {
		got, err := io.ReadAll(dial(t, srv))
		require.NoError(t, err)
		assert.Equal(t, "Hello, this is the message of the day\nBye Bye!", string(got))
	}
}

// Cookbook example 6: the first client gets the message and the whole
// server stops.
func TestHandlerStopsTheServer(t *testing.T) {
	srv, err := chassis.NewServerCore("127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewCloser("motd\n", true)
	}, chassis.ServerOptions{})
	require.NoError(t, err)
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(srv))
	c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	got, err := io.ReadAll(c)
	require.NoError(t, err)
	require.NoError(t, c.Close()) // the server closed its side: so does the client
	assert.Equal(t, "motd\n", string(got))
	axontest.WaitDone(t, srv)
	_, err = net.DialTimeout("tcp", srv.Addr().String(), time.Second)
	require.Error(t, err, "the listener is closed")
}

// ServerCore's CleverEchoProtocol: the factory gets the real addresses.
func TestFactoryGetsTheConnectionsAddresses(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewWelcome), chassis.ServerOptions{})
	c := dial(t, srv)
	local := c.LocalAddr().(*net.TCPAddr)
	want := fmt.Sprintf("Welcome! You have connected to 127.0.0.1 on port %d from 127.0.0.1 on port %d\n", srv.Addr().Port(), local.Port)
	got := make([]byte, len(want))
	_, err := io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
	roundTrip(t, c, "and then echoes\n")
}

// Shutdown stops accepting, closes every connection after its replies,
// and returns once everything has finished.
func TestShutdownDrains(t *testing.T) {
	srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	require.NoError(t, err)
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(srv))
	conns := []*net.TCPConn{dial(t, srv), dial(t, srv), dial(t, srv)}
	for _, c := range conns {
		roundTrip(t, c, "x")
	}
	// Clients read until the server closes, then close their side.
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := io.ReadAll(c)
			assert.NoError(t, err, "closed cleanly")
			c.Close()
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	wg.Wait()
	assert.Equal(t, 0, srv.Connections())
}

// MaxConns: at the limit the server stops accepting until a connection
// closes.
func TestMaxConns(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{MaxConns: 2})
	a, b := dial(t, srv), dial(t, srv)
	roundTrip(t, a, "a")
	roundTrip(t, b, "b")
	c := dial(t, srv) // connects in the backlog; not served yet
	_, err := c.Write([]byte("c"))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(100*time.Millisecond)))
	_, err = c.Read(make([]byte, 1))
	require.Error(t, err, "the third is not served while two are")
	require.NoError(t, a.Close())
	require.NoError(t, c.SetReadDeadline(time.Now().Add(deadline)))
	got := make([]byte, 1)
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, "c", string(got))
}

func TestManyClients(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(deadline))
			msg := strings.Repeat(fmt.Sprint(i), 100)
			if _, err := c.Write([]byte(msg)); err != nil {
				errs <- err
				return
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
				errs <- fmt.Errorf("client %d: %v %q", i, err, got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// ReuseBuffers: large reads travel in pooled buffers that come back to the
// pool once written; the bytes stay intact, in order, on every connection.
func TestReuseBuffersKeepsBytesIntact(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		Conn: internet.ConnOptions{ReuseBuffers: true},
	})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(deadline))
			data := make([]byte, 2<<20)
			for j := range data {
				data[j] = byte(j*7 + i)
			}
			got := make(chan []byte, 1)
			go func() { b, _ := io.ReadAll(c); got <- b }()
			if _, err := c.Write(data); err != nil {
				errs <- err
				return
			}
			_ = c.(*net.TCPConn).CloseWrite()
			if b := <-got; !bytes.Equal(b, data) {
				errs <- fmt.Errorf("client %d: %d of %d bytes, or different", i, len(b), len(data))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// lockedLines is a log destination the test can read while the server
// writes.
type lockedLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLines) count(substr string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), substr)
}

// A flood of failing handlers makes one warning line, then one that counts
// the rest, not a line per connection.
func TestServerCoreRateLimitsItsWarnings(t *testing.T) {
	var logs lockedLines
	srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewBomb), chassis.ServerOptions{})
	require.NoError(t, err)
	rt := axontest.Runtime(t, axon.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, rt.Activate(srv))
	const clients = 100
	began := time.Now()
	for range clients {
		c := dial(t, srv)
		_, err := c.Write([]byte("boom"))
		require.NoError(t, err)
		_, err = c.Read(make([]byte, 1))
		require.ErrorIs(t, err, io.EOF, "the failed handler's connection is closed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	require.NoError(t, srv.Shutdown(ctx))
	axontest.WaitDone(t, srv)
	seconds := int(time.Since(began)/time.Second) + 1
	const msg = "protocol handler failed; closing its connection"
	lines := logs.count(msg)
	assert.LessOrEqual(t, lines, 2*seconds, "a line, and one that counts the rest, each second (%d s), not %d lines", seconds, clients)
	assert.GreaterOrEqual(t, logs.count(msg+" (more of them"), 1, "the rest are counted")
}

// hog is a reactive component whose turn holds its worker until release
// is closed.
type hog struct {
	axon.Component
	In      axon.Inbox[int]
	holding chan struct{}
	release chan struct{}
}

func (h *hog) Dispatch(t *axon.Turn) {
	axon.Serve(t, &h.In, func(int) {
		close(h.holding)
		<-h.release
	})
}

// A new connection is accepted, its handler made and its first request
// answered by the event loop that saw it, not by a worker: in a mass close
// every worker is busy with the closes, and a new client waited for one.
// Here the runtime's only worker is held by another component while a
// client connects and is answered. This is the epoll Selector's doing
// (the portable one has no event loops): the test runs on it.
func TestAcceptsNeedNoWorker(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the epoll Selector is Linux's")
	}
	t.Setenv("KAMGEN_POLLER", "epoll") // the shared Selector is made afresh: no other test's server holds it
	srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	require.NoError(t, err)
	rt := axontest.Runtime(t, quiet, axon.WithWorkers(1))
	require.NoError(t, rt.Activate(srv))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	roundTrip(t, dial(t, srv), "ready\n") // the server has started, and watches its listener
	h := &hog{holding: make(chan struct{}), release: make(chan struct{})}
	h.In.Init(&h.Component, "inbox", 0)
	require.NoError(t, rt.Activate(h))
	require.NoError(t, h.In.Deliver(1))
	select {
	case <-h.holding:
	case <-time.After(deadline):
		t.Fatal("the hog never got the worker")
	}
	released := false
	t.Cleanup(func() {
		if !released {
			close(h.release)
		}
	})
	c := dial(t, srv)
	require.NoError(t, c.SetDeadline(time.Now().Add(2*time.Second)))
	roundTrip(t, c, "answered without a worker\n")
	assert.Equal(t, 2, srv.Connections())
	close(h.release)
	released = true
	h.Stop()
}
