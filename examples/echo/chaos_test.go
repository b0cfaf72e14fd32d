package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/chaos"
)

// Through a proxy that re-cuts both ways, 8 clients at once each get their
// 256 KiB back, byte for byte.
func TestChaosRecutEchoesEveryByte(t *testing.T) {
	srv := start(t)
	p := chaos.Start(t, srv.Addr, chaos.Recut(chaos.Up, 1, 4096), chaos.Recut(chaos.Down, 2, 4096))
	const clients = 8
	conns := make([]*net.TCPConn, clients)
	for i := range conns {
		conns[i] = extest.Dial(t, p.Addr())
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			data := make([]byte, 256<<10)
			_, _ = rand.Read(data)
			wrote := make(chan error, 1)
			go func() {
				_, err := c.Write(data)
				if err == nil {
					err = c.CloseWrite()
				}
				wrote <- err
			}()
			got, err := io.ReadAll(c)
			assert.NoError(t, err)
			assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
			c.Close() // ends the write if it is stuck
			assert.NoError(t, <-wrote)
		})
	}
	wg.Wait()
	assert.Equal(t, clients, p.Conns())
}

// A connection reset midway through a MiB ends the client's connection
// within 2 s; the server goes on serving.
func TestChaosResetDoesNotStopTheServer(t *testing.T) {
	srv := start(t)
	p := chaos.Start(t, srv.Addr, chaos.ResetAt(chaos.Up, 4096))
	c := extest.Dial(t, p.Addr())
	require.NoError(t, c.SetDeadline(time.Now().Add(2*time.Second)))
	wrote := make(chan error, 1)
	go func() {
		_, err := c.Write(make([]byte, 1<<20))
		wrote <- err
	}()
	got, err := io.ReadAll(c)
	// ReadAll gives nil for an EOF; a reset is an error, a timeout a failure.
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "no end within 2 s: %v", err)
	t.Logf("after %d bytes: %v", len(got), err)
	assert.LessOrEqual(t, len(got), 4096, "at most what reached the server comes back")
	c.Close()
	<-wrote // ends: the connection is closed, and the write has a deadline

	p.Set()
	c2 := extest.Dial(t, p.Addr())
	require.NoError(t, c2.SetDeadline(time.Now().Add(2*time.Second)))
	extest.Write(t, c2, "still here\n")
	assert.Equal(t, "still here\n", extest.ReadN(t, c2, len("still here\n")))
	assert.Equal(t, 2, p.Conns())
}
