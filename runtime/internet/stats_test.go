package internet_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An adapter counts what it read and wrote, and what waits to be written,
// and its counters may be read from another goroutine while it works.
func TestStatsCountBytesBothWays(t *testing.T) {
	before := time.Now()
	r := newAdapterRig(t)
	st := r.csa.Stats()
	assert.Equal(t, r.peer.LocalAddr().String(), st.Peer.String())
	assert.Equal(t, r.peer.RemoteAddr().String(), st.Local.String())
	assert.False(t, st.Opened.Before(before.Add(-time.Second)), "opened %v, test began %v", st.Opened, before)

	const in = "twelve bytes"
	_, err := r.peer.Write([]byte(in))
	require.NoError(t, err)
	r.out.WaitFor(t, "the bytes read", func() bool { return joined(r.out.Messages()) == in })
	assert.EqualValues(t, len(in), r.csa.Stats().BytesIn)

	const reply = "a reply of 21 bytes\n\n"
	require.NoError(t, r.csa.In.Deliver([]byte(reply)))
	assert.Equal(t, reply, readString(t, r.peer, len(reply)))
	require.Eventually(t, func() bool { return r.csa.Stats().BytesOut == uint64(len(reply)) },
		5*time.Second, time.Millisecond, "bytes written: %d", r.csa.Stats().BytesOut)
	assert.Zero(t, r.csa.Stats().Queued, "all of it was written")
}

// What a peer that does not read leaves queued is counted, and goes when it
// is written.
func TestStatsCountWhatWaitsForASlowPeer(t *testing.T) {
	r := newAdapterRig(t)
	const size = 16 << 20 // more than the kernel's buffers hold
	require.NoError(t, r.csa.In.Deliver(make([]byte, size)))
	require.Eventually(t, func() bool { return r.csa.Stats().Queued > 0 }, 5*time.Second, time.Millisecond,
		"the peer reads nothing: part of 16 MiB waits")
	got := readString(t, r.peer, size)
	assert.Len(t, got, size)
	require.Eventually(t, func() bool { return r.csa.Stats().Queued == 0 }, 5*time.Second, time.Millisecond)
	assert.EqualValues(t, size, r.csa.Stats().BytesOut)
}
