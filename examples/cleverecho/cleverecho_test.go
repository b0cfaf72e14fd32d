package main

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The welcome names the real addresses of both ends, then every byte comes
// back; two clients each get their own.
func TestWelcomeThenEcho(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	server, err := net.ResolveTCPAddr("tcp", srv.Addr)
	require.NoError(t, err)
	for range 2 {
		c := extest.Dial(t, srv.Addr)
		client := c.LocalAddr().(*net.TCPAddr)
		want := fmt.Sprintf("Welcome! You have connected to 127.0.0.1 on port %d from 127.0.0.1 on port %d\n", server.Port, client.Port)
		assert.Equal(t, want, extest.ReadN(t, c, len(want)))
		for _, msg := range []string{"Hello\n", "This\n", "is a test\n"} {
			extest.Write(t, c, msg)
			assert.Equal(t, msg, extest.ReadN(t, c, len(msg)))
		}
		require.NoError(t, c.CloseWrite())
		assert.Empty(t, extest.ReadAll(t, c), "the server closes after the client")
	}
}
