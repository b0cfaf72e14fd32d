package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/testcert"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, args ...string) *extest.Server {
	t.Helper()
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), ready)
	})
}

// Every byte comes back, in order; a client that leaves does not stop the
// server.
func TestEchoesEveryByte(t *testing.T) {
	srv := start(t)
	for range 3 {
		c := extest.Dial(t, srv.Addr)
		data := make([]byte, 1<<20)
		for i := range data {
			data[i] = byte(i * 31)
		}
		go func() {
			_, _ = c.Write(data)
			_ = c.CloseWrite()
		}()
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
		c.Close()
	}
}

// -tls-cert and -tls-key serve TLS.
func TestServesTLS(t *testing.T) {
	certFile, keyFile, pool := testcert.Files(t)
	srv := start(t, "-tls-cert", certFile, "-tls-key", keyFile)
	c, err := tls.Dial("tcp", srv.Addr, &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Write([]byte("over TLS\n"))
	require.NoError(t, err)
	got := make([]byte, len("over TLS\n"))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, "over TLS\n", string(got))
}

func TestBadCertificateIsAnError(t *testing.T) {
	err := run(extest.Context(t), []string{"-addr", "127.0.0.1:0", "-tls-cert", "/nonexistent", "-tls-key", "/nonexistent"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TLS certificate")
}
