//go:build linux

package poll

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlotTableStale: an event of a freed registration never finds the
// socket that reuses its slot (as it would reuse the descriptor number).
func TestSlotTableStale(t *testing.T) {
	var tab slotTable
	old := &esock{fd: 7}
	require.NoError(t, tab.add(old))
	assert.Same(t, old, tab.lookup(old.slot, old.gen))
	tab.remove(old)
	assert.Nil(t, tab.lookup(old.slot, old.gen), "freed slot")

	reuse := &esock{fd: 7}
	require.NoError(t, tab.add(reuse))
	require.Equal(t, old.slot, reuse.slot, "the slot is reused first")
	assert.NotEqual(t, old.gen, reuse.gen)
	assert.Nil(t, tab.lookup(old.slot, old.gen), "stale event for the reused slot")
	assert.Same(t, reuse, tab.lookup(reuse.slot, reuse.gen))
	assert.Nil(t, tab.lookup(wakeSlot, 0))
	assert.Nil(t, tab.lookup(reuse.slot+1, reuse.gen))
}

// TestSlotTableGrow fills several chunks, frees all and checks the
// generations and the live count.
func TestSlotTableGrow(t *testing.T) {
	var tab slotTable
	socks := make([]*esock, 3*slotChunkSize+5)
	for i := range socks {
		socks[i] = &esock{fd: int32(i)}
		require.NoError(t, tab.add(socks[i]))
	}
	for _, s := range socks {
		assert.Same(t, s, tab.lookup(s.slot, s.gen))
	}
	assert.Len(t, tab.close(), len(socks))
	assert.ErrorIs(t, tab.add(&esock{}), ErrClosed)
	for _, s := range socks {
		tab.remove(s)
		assert.Nil(t, tab.lookup(s.slot, s.gen))
	}
	assert.Zero(t, tab.live)
}
