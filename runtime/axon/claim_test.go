package axon_test

import (
	"testing"
	"unsafe"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A turn hands messages to their handler where they lie in the inbox. These
// tests pin what that must not change: a handler that reads its own inbox,
// an inbox linked onward while its owner handles it, and a handler that
// panics halfway through a batch.

// peeker's handler for "inbox" also takes the next message itself with
// TryRecv, as a Kamaelia component may (recv inside a loop over dataReady).
type peeker struct {
	axon.Component
	In   axon.Inbox[int]
	Out  axon.Outbox[[2]int]
	step int // how the handler behaves
	fwd  *axon.Inbox[int]
}

func newPeeker() *peeker {
	p := &peeker{}
	p.In.Init(&p.Component, "inbox", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *peeker) Dispatch(t *axon.Turn) { axon.Serve(t, &p.In, p.onIn) }

func (p *peeker) onIn(m int) {
	switch p.step {
	case 0: // take the following message too
		next, ok := p.In.TryRecv()
		if !ok {
			next = -1
		}
		p.Out.Send([2]int{m, next})
	case 1: // link the inbox onward on the first message
		if m == 0 && p.fwd != nil {
			if _, err := axon.WireIn(&p.In, p.fwd).Link(); err != nil {
				panic(err)
			}
		}
		p.Out.Send([2]int{m, 0})
	case 2: // fail on message 2
		if m == 2 {
			panic("two")
		}
		p.Out.Send([2]int{m, 0})
	}
}

// Every message is handled once: TryRecv inside the handler gets a message
// after those the turn holds, never one of them. 70 messages: a turn holds
// 64, so the handlers of the first six take the last six.
func TestHandlerMayTakeFromItsOwnInbox(t *testing.T) {
	const n = 70
	rt := newRT(t)
	p := newPeeker()
	p.In.SetCap(n)
	sink := axontest.NewSink[[2]int]()
	sink.In.SetCap(n)
	mustLink(t, &p.Out, &sink.In)
	for i := range n {
		require.NoError(t, p.In.Deliver(i))
	}
	require.NoError(t, rt.Activate(p, sink))
	got := sink.WaitCount(t, n-6)
	seen := make([]int, n)
	for i, g := range got {
		assert.Equal(t, i, g[0], "handled in order")
		seen[g[0]]++
		if g[1] >= 0 {
			seen[g[1]]++
		}
		if i < 6 {
			assert.Equal(t, 64+i, g[1], "taken after the turn's messages")
		}
	}
	for m, k := range seen {
		assert.Equal(t, 1, k, "message %d", m)
	}
	assert.Equal(t, 0, p.In.Len())
}

// An inbox linked onward while its owner handles a batch: what the turn had
// claimed is handled by the owner, everything after goes to the new end,
// nothing twice and nothing lost.
func TestInboxLinkedOnwardDuringItsTurn(t *testing.T) {
	rt := newRT(t)
	p, dst := newPeeker(), newCounting()
	p.step = 1
	p.fwd = &dst.In
	sink := axontest.NewSink[[2]int]()
	mustLink(t, &p.Out, &sink.In)
	for i := range 5 {
		require.NoError(t, p.In.Deliver(i))
	}
	require.NoError(t, rt.Activate(p, sink, dst))
	got := sink.WaitCount(t, 5)
	for i, g := range got {
		assert.Equal(t, i, g[0])
	}
	for i := 5; i < 8; i++ {
		require.NoError(t, p.In.Deliver(i))
	}
	eventually(t, "3 messages at the new end", func() bool { return dst.got.Load() == 3 })
	assert.Equal(t, int64(7), dst.last.Load())
	assert.Equal(t, 0, p.In.Len())
}

// A panic in a handler consumes the message that caused it; the messages
// after it are not handled: the component has failed, so they are dropped
// and counted (Runtime.Dropped).
func TestPanicKeepsTheRestOfTheBatch(t *testing.T) {
	rt := newRT(t, quiet)
	p := newPeeker()
	p.step = 2
	sink := axontest.NewSink[[2]int]()
	mustLink(t, &p.Out, &sink.In)
	for i := range 5 {
		require.NoError(t, p.In.Deliver(i))
	}
	require.NoError(t, rt.Activate(p, sink))
	waitDone(t, p)
	var pe *axon.PanicError
	require.ErrorAs(t, p.Err(), &pe)
	assert.Equal(t, int64(2), rt.Dropped(), "messages 3 and 4 are dropped, and counted")
	assert.Equal(t, 0, p.In.Len())
}

// Fan-in past the first source, then removing sources in any order and
// linking the inbox onward: the remaining sources' messages go to the new
// end, a removed source keeps its own.
func TestManySourcesUnlinkAndRelink(t *testing.T) {
	srcs := []*counting{newCounting(), newCounting(), newCounting(), newCounting()}
	mid, end := newCounting(), newCounting()
	links := make([]*axon.Linkage, len(srcs))
	for i, s := range srcs {
		links[i] = mustLink(t, &s.Out, &mid.In)
	}
	assert.True(t, mid.In.Fed())
	links[0].Unlink() // the first source
	links[2].Unlink() // one kept in the cold part
	_, err := axon.WireIn(&mid.In, &end.In).Link()
	require.NoError(t, err)
	for i, s := range srcs {
		require.True(t, s.Out.Offer(i))
	}
	assert.Equal(t, 2, end.In.Len(), "sources 1 and 3 reach the new end")
	assert.Equal(t, 0, mid.In.Len())
	assert.Equal(t, 1, srcs[0].Out.Len(), "an unlinked source keeps its message")
	assert.Equal(t, 1, srcs[2].Out.Len())
	links[1].Unlink()
	links[3].Unlink()
	assert.False(t, mid.In.Fed())
}

// The boxes stay small: a connection costs eight of them.
func TestBoxSize(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(axon.Inbox[[]byte]{}), uintptr(96))
	assert.LessOrEqual(t, unsafe.Sizeof(axon.Outbox[[]byte]{}), uintptr(96))
	assert.LessOrEqual(t, unsafe.Sizeof(axon.Component{}), uintptr(112))
}
