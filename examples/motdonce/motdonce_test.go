package main

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The first client gets the seed's message, byte for byte; then the server
// stops by itself and run returns nil (the program exits 0), and nobody
// else can connect.
func TestServesOneClientThenStops(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	c := extest.Dial(t, srv.Addr)
	assert.Equal(t, "Hello, this is the message of the day\nBye Bye!", extest.ReadAll(t, c))
	require.NoError(t, srv.Wait(t), "the server stopped by itself, normally")
	_, err := net.DialTimeout("tcp", srv.Addr, time.Second)
	require.Error(t, err, "the listener is closed")
}

// MOTDOnce is a ServerSignaller, so ServerCore links its "serversignal".
func TestMOTDOnceSignalsTheServer(t *testing.T) {
	var h any = NewMOTDOnce()
	_, ok := h.(chassis.ServerSignaller)
	assert.True(t, ok)
}

// A client that has read the message and merely keeps its socket open does
// not hold the server: once the peer's TCP has acknowledged the message and
// nothing is left unread, the connection closes without waiting for the
// client's FIN (CloseTimeout, 10 s), and the server ends within a second.
func TestStopsWithoutWaitingForAnIdleClient(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	c := extest.Dial(t, srv.Addr)
	got := extest.ReadN(t, c, len(Message))
	assert.Equal(t, Message, got)
	read := time.Now()
	ended := make(chan error, 1)
	go func() { ended <- srv.Wait(t) }()
	select {
	case err := <-ended:
		require.NoError(t, err)
		assert.Less(t, time.Since(read), time.Second)
	case <-time.After(2 * time.Second):
		t.Fatal("the server waits for a client that keeps its socket open")
	}
	_, err := c.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF, "the client sees a clean close, not a reset")
}
