package chassis_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
)

// readUntilClosed reads until the server closes the connection and
// returns when it did, relative to start.
func readUntilClosed(t *testing.T, c net.Conn, start time.Time) time.Duration {
	t.Helper()
	_, err := io.Copy(io.Discard, c)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server never closed")
	}
	return time.Since(start)
}

// IdleTimeout closes a connection with no traffic; traffic keeps it open.
func TestIdleTimeout(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		Conn: internet.ConnOptions{IdleTimeout: 150 * time.Millisecond},
	})
	c := dial(t, srv)
	start := time.Now()
	for range 4 { // traffic every 50 ms, less than the timeout: not idle
		time.Sleep(50 * time.Millisecond) // pacing the client, not waiting for an event
		roundTrip(t, c, "x")
	}
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "open past the timeout while busy")
	idleFrom := time.Now()
	took := readUntilClosed(t, c, idleFrom)
	assert.GreaterOrEqual(t, took, 150*time.Millisecond, "not before the idle timeout")
	assert.Less(t, took, 5*time.Second)
}

// ReadTimeout closes a connection from which nothing is read.
func TestReadTimeout(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		Conn: internet.ConnOptions{ReadTimeout: 100 * time.Millisecond},
	})
	start := time.Now() // before the dial: the server's clock starts once it has accepted
	c := dial(t, srv)
	took := readUntilClosed(t, c, start)
	assert.GreaterOrEqual(t, took, 100*time.Millisecond)
	assert.Less(t, took, 5*time.Second)
}

// WriteTimeout closes a connection whose client takes nothing of what
// waits to be written.
func TestWriteTimeout(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		Conn: internet.ConnOptions{WriteTimeout: 200 * time.Millisecond},
	})
	c := dial(t, srv)
	require.NoError(t, c.SetReadBuffer(4096))
	// Send far more than the socket buffers hold, never reading: the echo
	// stalls, and the server gives up on the connection.
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(10*time.Second)))
	start := time.Now()
	chunk := make([]byte, 64<<10)
	var err error
	for range 1024 {
		if _, err = c.Write(chunk); err != nil {
			break
		}
	}
	require.Error(t, err, "the server closed the connection: writing fails")
	t.Logf("writing failed %v after the start: %v", time.Since(start), err)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "closed by the server's write timeout, not our deadline: %v", err)
}

// B15: the Selector is shared, and lives as long as a server needs it:
// shutting one server down leaves the other serving.
func TestSelectorOutlivesOneServer(t *testing.T) {
	first, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	require.NoError(t, err)
	second := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(first))
	one := dial(t, first)
	roundTrip(t, one, "one")
	roundTrip(t, dial(t, second), "two")
	closed := make(chan struct{})
	go func() { // a client reads until the server closes, then closes
		_, _ = io.Copy(io.Discard, one)
		one.Close()
		close(closed)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	require.NoError(t, first.Shutdown(ctx))
	<-closed
	c := dial(t, second)
	for range 10 {
		roundTrip(t, c, "still served")
	}
	roundTrip(t, dial(t, second), "and new clients too")
}

// A server closes connections idle for DefaultIdleTimeout unless told
// otherwise; a negative IdleTimeout means none.
func TestIdleTimeoutDefault(t *testing.T) {
	for _, tc := range []struct {
		set, want time.Duration
	}{
		{0, chassis.DefaultIdleTimeout},
		{-1, 0},
		{time.Second, time.Second},
	} {
		srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho),
			chassis.ServerOptions{Conn: internet.ConnOptions{IdleTimeout: tc.set}})
		assert.Equal(t, tc.want, chassis.IdleTimeoutOf(srv), "IdleTimeout %v", tc.set)
	}
}
