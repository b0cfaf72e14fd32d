package internet_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/chaos"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/internet"
)

// put sends data to the client in pieces of 8 KiB.
func put(t *testing.T, c *internet.TCPClient, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	for p := range slices.Chunk(data, 8<<10) {
		require.NoError(t, c.In.Put(ctx, p))
	}
}

// echoThrough sends n random bytes through a TCPClient to an echo server
// behind a proxy with faults, finishes, and checks that the client ended
// normally, once, with every byte back in order. It returns what the
// client delivered.
func echoThrough(t *testing.T, n int, faults ...chaos.Fault) *axontest.Sink[[]byte] {
	t.Helper()
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), faults...)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(p.Addr())
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	data := make([]byte, n)
	_, _ = rand.Read(data)
	put(t, client, data)
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{}))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1, "exactly one termination message")
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.True(t, ok, "%T", sigs[0])
	assert.Nil(t, pf.Message, "a normal end")
	got := bytes.Join(snk.Messages(), nil)
	assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
	return snk
}

// A client that has finished sending gets the whole answer, however slowly
// it comes: its close waits for the server's FIN, not only for the server
// to acknowledge what it was sent.
func TestChaosClientWaitsForASlowAnswer(t *testing.T) {
	echoThrough(t, 64<<10, chaos.Throttle(chaos.Down, 256<<10))
}

// Through a proxy that re-cuts both ways, what the client sends comes back
// byte for byte.
func TestChaosClientRecut(t *testing.T) {
	snk := echoThrough(t, 256<<10, chaos.Recut(chaos.Up, 1, 4096), chaos.Recut(chaos.Down, 2, 4096))
	assert.Greater(t, len(snk.Messages()), 20, "the answer came in many pieces")
}

// A reset after 1000 bytes down ends the client within 2 s, with the
// bytes that came before it and the error as the reason.
func TestChaosClientReset(t *testing.T) {
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), chaos.ResetAt(chaos.Down, 1000))
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(p.Addr())
	snk := collect(t, client)
	start := time.Now()
	require.NoError(t, rt.Activate(client, snk))
	data := make([]byte, 5000)
	_, _ = rand.Read(data)
	put(t, client, data)
	sigs := snk.WaitSignals(t, 1)
	assert.Less(t, time.Since(start), 2*time.Second, "the close is signalled within 2 s")
	axontest.WaitDone(t, client)
	require.Len(t, snk.Signals(), 1, "exactly one termination message")
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.True(t, ok, "%T", sigs[0])
	got := bytes.Join(snk.Messages(), nil)
	t.Logf("%d bytes, then: %v", len(got), pf.Message)
	assert.LessOrEqual(t, len(got), 1000)
	assert.Equal(t, data[:len(got)], got, "what came, in order")
}
