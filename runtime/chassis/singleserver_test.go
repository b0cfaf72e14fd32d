package chassis_test

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
)

func singleServer(t *testing.T) (*chassis.SingleServer, *axontest.Sink[[]byte], *axon.Runtime) {
	t.Helper()
	srv, err := chassis.NewSingleServer("127.0.0.1:0", chassis.ServerOptions{})
	require.NoError(t, err)
	rt := axontest.Runtime(t, quiet)
	got := axontest.NewSink[[]byte]()
	got.KeepRunning = true
	axontest.Link(t, &srv.Out, &got.In)
	axontest.Link(t, &srv.Signal, &got.Control)
	require.NoError(t, rt.Activate(srv, got))
	return srv, got, rt
}

// L7: SingleServer is the protocol's end: the client's bytes come out of
// its outbox, its inbox goes to the client; every message is handled.
func TestSingleServerCarriesBothWays(t *testing.T) {
	srv, got, _ := singleServer(t)
	c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(deadline))
	for range 100 {
		_, err = c.Write([]byte("ping\n"))
		require.NoError(t, err)
	}
	got.WaitFor(t, "100 pings", func() bool { return bytes.Count(bytes.Join(got.Messages(), nil), []byte("ping\n")) == 100 })
	for range 100 {
		require.NoError(t, srv.In.Put(t.Context(), []byte("pong\n")))
	}
	reply := make([]byte, 500)
	_, err = io.ReadFull(c, reply)
	require.NoError(t, err)
	assert.Equal(t, bytes.Repeat([]byte("pong\n"), 100), reply)
}

// One client at a time; the next is served when the first has gone, and
// what was sent meanwhile waits for it.
func TestSingleServerServesOneAtATime(t *testing.T) {
	srv, got, _ := singleServer(t)
	first, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	_, err = first.Write([]byte("first"))
	require.NoError(t, err)
	got.WaitFor(t, "first", func() bool { return string(bytes.Join(got.Messages(), nil)) == "first" })
	second, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	defer second.Close()
	require.NoError(t, first.Close())
	require.Eventually(t, func() bool { return srv.Served() == 2 }, deadline, time.Millisecond, "the second client is served once the first has gone")
	require.NoError(t, srv.In.Put(t.Context(), []byte("for the second")))
	_ = second.SetDeadline(time.Now().Add(deadline))
	buf := make([]byte, len("for the second"))
	_, err = io.ReadFull(second, buf)
	require.NoError(t, err)
	assert.Equal(t, "for the second", string(buf))
}

// connectedClient dials srv and waits until it serves the connection.
func connectedClient(t *testing.T, srv *chassis.SingleServer) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.Eventually(t, srv.Connected, deadline, time.Millisecond)
	return c
}

// A signal of a connection served before, still waiting when the next
// client is served, does not close the next client's connection: the
// first connection's last SocketShutdown could be handled after the
// second connection was wired, and closed it (the second client read EOF).
func TestSingleServerIgnoresAnEarlierConnectionsSignal(t *testing.T) {
	srv, _, _ := singleServer(t)
	c := connectedClient(t, srv)
	earlier := &internet.SocketShutdown{Conn: &internet.ConnectedSocketAdapter{}, Err: io.EOF, Closed: true}
	require.NoError(t, srv.Sockets.Deliver(earlier))
	_ = c.SetDeadline(time.Now().Add(deadline))
	for _, msg := range []string{"still here", "and after"} {
		require.NoError(t, srv.In.Put(t.Context(), []byte(msg)))
		buf := make([]byte, len(msg))
		_, err := io.ReadFull(c, buf)
		require.NoError(t, err, "the connection served now stays open")
		assert.Equal(t, msg, string(buf))
	}
	assert.True(t, srv.Connected())
}

// L7: a SingleServer with no client stops on a signal, forwarding it.
func TestSingleServerStopsWithoutAClient(t *testing.T) {
	srv, got, _ := singleServer(t)
	sig := &axon.ShutdownMicroprocess{}
	require.NoError(t, srv.Control.Deliver(sig))
	axontest.WaitDone(t, srv)
	assert.Same(t, sig, got.WaitSignals(t, 1)[0])
	_, err := net.DialTimeout("tcp", srv.Addr().String(), time.Second)
	require.Error(t, err, "the listener is closed")
}

// With a client, the signal closes its connection after what was sent.
func TestSingleServerStopsWithAClient(t *testing.T) {
	srv, _, _ := singleServer(t)
	c := connectedClient(t, srv)
	require.NoError(t, srv.In.Put(t.Context(), []byte("bye")))
	require.NoError(t, srv.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	_ = c.SetDeadline(time.Now().Add(deadline))
	rest, err := io.ReadAll(c)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	assert.Equal(t, "bye", string(rest))
	axontest.WaitDone(t, srv)
}
