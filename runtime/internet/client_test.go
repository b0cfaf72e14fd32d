package internet_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
)

// collect gathers everything a client receives until it finishes.
func collect(t *testing.T, c *internet.TCPClient) *axontest.Sink[[]byte] {
	t.Helper()
	snk := axontest.NewSink[[]byte]()
	axontest.Link(t, &c.Out, &snk.In)
	axontest.Link(t, &c.Signal, &snk.Control)
	return snk
}

func joined(msgs [][]byte) string { return string(bytes.Join(msgs, nil)) }

// B12: data sent before the connection is up is sent once it is; the
// client ends with exactly one message, carrying the reason.
func TestClientSendsWhatWasQueuedBeforeTheConnection(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	client.Delay = 50 * time.Millisecond
	snk := collect(t, client)
	// Queued before the client even runs.
	require.NoError(t, client.In.Deliver([]byte("hello ")))
	require.NoError(t, client.In.Deliver([]byte("world")))
	require.NoError(t, rt.Activate(client, snk))
	snk.WaitFor(t, "the echo", func() bool { return joined(snk.Messages()) == "hello world" })
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1, "exactly one termination message")
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.True(t, ok, "%T", sigs[0])
	assert.Nil(t, pf.Message, "a normal end")
}

// A refused connection ends the client with the error as the reason.
func TestClientReportsARefusedConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(addr)
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	pf := sigs[0].(*axon.ProducerFinished)
	reason, _ := pf.Message.(error)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "connection refused")
}

// The server closing its side ends the client once, with what it sent.
func TestClientEndsWhenTheServerCloses(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewCloser("motd\n", false)
	}, chassis.ServerOptions{})
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	axontest.WaitDone(t, client)
	// The termination message comes after the data: once the sink has it,
	// it has had everything.
	require.Len(t, snk.WaitSignals(t, 1), 1)
	assert.Equal(t, "motd\n", joined(snk.Messages()))
}

// A shutdownMicroprocess before the connection is up stops the client at
// once and is itself the termination message.
func TestClientShutdownBeforeConnecting(t *testing.T) {
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient("127.0.0.1:9") // never reached: Delay
	client.Delay = time.Hour
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	stop := &axon.ShutdownMicroprocess{}
	require.NoError(t, client.Control.Deliver(stop))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	assert.Same(t, stop, sigs[0], "the same shutdownMicroprocess")
}

// B10: a close asked for after a large send writes all of it, even to a
// client that reads slowly.
func TestCloseAfterLargeSendFlushesEverything(t *testing.T) {
	big := string(bytes.Repeat([]byte("kamgen!\n"), 4<<20/8))
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewCloser(big, false)
	}, chassis.ServerOptions{})
	c := dial(t, srv)
	var got bytes.Buffer
	buf := make([]byte, 1000) // small reads: a slow reader
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, len(big), got.Len())
	assert.Equal(t, big, got.String())
}

// B14: the signals a connection sends name it.
func TestSocketShutdownNamesItsConnection(t *testing.T) {
	got := make(chan *internet.SocketShutdown, 4)
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewRecorder(func(s axon.Signal) {
			if ss, ok := s.(*internet.SocketShutdown); ok {
				got <- ss
			}
		})
	}, chassis.ServerOptions{})
	c := dial(t, srv)
	local := c.LocalAddr().(*net.TCPAddr).AddrPort()
	require.NoError(t, c.CloseWrite())
	select {
	case ss := <-got:
		require.NotNil(t, ss.Conn)
		assert.Equal(t, local, ss.Peer)
		assert.Equal(t, local, ss.Conn.Peer())
		assert.True(t, ss.HalfClosed(), "the client closed its side only")
	case <-time.After(deadline):
		t.Fatal("no socketShutdown")
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const deadline = 10 * time.Second

// quiet keeps expected failures out of the test output.
var quiet = axon.WithLogger(slog.New(slog.DiscardHandler))

// serve starts a ServerCore on addr in a runtime that the test shuts down.
func serve(t testing.TB, addr string, f chassis.Factory, opts chassis.ServerOptions) *chassis.ServerCore {
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

func dial(t testing.TB, srv *chassis.ServerCore) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	return c.(*net.TCPConn)
}

// A client that is the Selector's last user may end in a turn that one of
// the Selector's own loops runs: letting the Selector go there closes it
// without waiting on that loop (which would never return), and the next
// user gets a new one that works.
func TestLastUserLetsTheSelectorGoFromItsLoop(t *testing.T) {
	for round := range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := make(chan error, 1)
		go func() {
			c, err := l.Accept()
			if err == nil {
				_, err = c.Write([]byte("bye\n"))
				c.Close()
			}
			served <- err
		}()
		rt := axontest.Runtime(t, quiet)
		client := internet.NewTCPClient(l.Addr().String())
		snk := collect(t, client)
		require.NoError(t, rt.Activate(client, snk))
		axontest.WaitDone(t, client)
		require.Len(t, snk.WaitSignals(t, 1), 1)
		assert.Equal(t, "bye\n", joined(snk.Messages()), "round %d", round)
		require.NoError(t, <-served)
		require.NoError(t, l.Close())
	}
}
