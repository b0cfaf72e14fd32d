package axon_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// bytesSink is an inbox of byte strings, never activated: nothing takes
// from it but the test.
type bytesSink struct {
	axon.Component
	In axon.Inbox[[]byte]
}

func (s *bytesSink) Dispatch(*axon.Turn) {}

func newBytesSink(limit int) *bytesSink {
	s := &bytesSink{}
	s.In.Init(&s.Component, "inbox", 0)
	axon.LimitBytes(&s.In, limit)
	return s
}

// An inbox bounded in bytes takes messages until what it holds reaches its
// limit, going past it by one message at most, and takes more once its
// owner has taken some.
func TestLimitBytesBoundsAnInboxInBytes(t *testing.T) {
	s := newBytesSink(100)
	m := make([]byte, 60)
	require.NoError(t, s.In.Deliver(m))
	require.NoError(t, s.In.Deliver(m), "60 bytes held: room for one more message")
	err := s.In.Deliver(m)
	require.True(t, errors.Is(err, axon.ErrNoSpace), "120 bytes held, past the 100-byte limit: full, got %v", err)
	assert.Equal(t, 2, s.In.Len())

	_, ok := s.In.TryRecv()
	require.True(t, ok)
	require.NoError(t, s.In.Deliver(m), "60 bytes held again: room")
	require.Error(t, s.In.Deliver(m))

	// Small messages: many fit, up to the limit in bytes, not the
	// capacity in messages.
	small := newBytesSink(100)
	n := 0
	for small.In.Deliver(make([]byte, 10)) == nil {
		n++
		require.Less(t, n, 64, "a 100-byte inbox took more than 100 bytes of 10-byte messages")
	}
	assert.Equal(t, 10, n)
}

// A sender waiting for room in an inbox full in bytes is woken when its
// owner takes a message; an outbox filled while unlinked moves to it only
// what its limit allows.
func TestLimitBytesWakesWaitingSendersAndBoundsLinks(t *testing.T) {
	s := newBytesSink(100)
	require.NoError(t, s.In.Deliver(make([]byte, 150)))
	require.Error(t, s.In.Deliver([]byte("x")))
	sent := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), axontest.Timeout)
	defer cancel()
	go func() { sent <- s.In.Put(ctx, []byte("late")) }()
	m, ok := s.In.TryRecv()
	require.True(t, ok)
	assert.Len(t, m, 150)
	require.NoError(t, <-sent, "the waiting sender got in once the 150 bytes were taken")

	rt := axontest.Runtime(t)
	src := axontest.NewSink[[]byte]()
	require.NoError(t, rt.Activate(src))
	dst := newBytesSink(100)
	out := axon.NewOutbox[[]byte](&src.Component, "held", 10)
	for range 5 {
		require.True(t, out.Offer(make([]byte, 40)))
	}
	mustLink(t, out, &dst.In)
	assert.Equal(t, 3, dst.In.Len(), "40+40 bytes leave room for one more 40, no more")
	assert.Equal(t, 2, out.Len(), "the rest stays in the outbox")
}
