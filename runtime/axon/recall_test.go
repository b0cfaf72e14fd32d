package axon_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Recall takes back, oldest first, what an outbox delivered and its inbox's
// owner has not handled, and then what the outbox still holds; it makes
// room in the inbox.
func TestRecallTakesBackWhatWaits(t *testing.T) {
	a, b := newCounting(), newCounting()
	b.In.SetCap(2)
	mustLink(t, &a.Out, &b.In)
	require.True(t, a.Out.Offer(1))
	require.True(t, a.Out.Offer(2))
	require.False(t, a.Out.Offer(3), "the inbox is full")
	for _, want := range []int{1, 2} {
		m, ok := a.Out.Recall()
		require.True(t, ok)
		assert.Equal(t, want, m)
	}
	_, ok := a.Out.Recall()
	assert.False(t, ok, "nothing left")
	assert.Zero(t, b.In.Len())
	require.True(t, a.Out.Offer(4), "room again")
	assert.Equal(t, 1, b.In.Len())
}

// An outbox that is not linked keeps what is sent on it: Recall takes it
// back from there.
func TestRecallFromAnUnlinkedOutbox(t *testing.T) {
	a := newCounting()
	require.True(t, a.Out.Offer(7))
	m, ok := a.Out.Recall()
	require.True(t, ok)
	assert.Equal(t, 7, m)
	_, ok = a.Out.Recall()
	assert.False(t, ok)
}
