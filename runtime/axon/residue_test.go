package axon_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// visitor is a short-lived component that links its outbox into a
// long-lived inbox, as a chat client joins a room, sends one message and
// finishes.
type visitor struct {
	axon.Component
	Out axon.Outbox[int]
	pad [256]byte // what a real component holds besides its boxes
}

func (v *visitor) Dispatch(*axon.Turn) {}

func (v *visitor) OnStart() {
	v.Out.Send(1)
	v.Stop()
}

func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// A finished component is unreachable from the links it made, however it
// made them: a link from a short-lived component's outbox into a
// long-lived inbox goes when the component finishes, so 20,000 of them
// leave the live heap where it was.
func TestFinishedComponentsLeaveNoResidue(t *testing.T) {
	rt := axontest.Runtime(t)
	room := axontest.NewSink[int]()
	room.In.SetCap(1 << 20)
	require.NoError(t, rt.Activate(room))
	const n = 20000
	run := func() {
		for range n / 100 {
			vs := make([]*visitor, 100)
			for i := range vs {
				vs[i] = &visitor{}
				vs[i].Out.Init(&vs[i].Component, "outbox", 0)
				_, err := axon.Link(&vs[i].Out, &room.In)
				require.NoError(t, err)
				require.NoError(t, rt.Activate(vs[i]))
			}
			for _, v := range vs {
				<-v.Done()
			}
		}
	}
	run() // the runtime's own structures reach their size
	before := liveHeap()
	run()
	room.WaitFor(t, "every message", func() bool { return len(room.Messages()) == 2*n })
	grew := liveHeap() - before
	t.Logf("%d more finished components: the live heap grew %d KiB", n, grew>>10)
	assert.Less(t, grew, int64(1<<20), "finished components are still reachable")
}

// A box name made per instance ("to-"+nick) costs nothing once its
// component is gone: names are interned weakly, and 20,000 distinct ones of
// finished components leave the live heap where it was.
func TestPerInstanceBoxNamesLeaveNoResidue(t *testing.T) {
	rt := axontest.Runtime(t)
	room := axontest.NewSink[int]()
	room.In.SetCap(1 << 20)
	require.NoError(t, rt.Activate(room))
	const n = 20000
	next := 0
	run := func() {
		for range n / 100 {
			vs := make([]*visitor, 100)
			for i := range vs {
				vs[i] = &visitor{}
				vs[i].Out.Init(&vs[i].Component, fmt.Sprintf("to-visitor-%d", next), 0)
				next++
				_, err := axon.Link(&vs[i].Out, &room.In)
				require.NoError(t, err)
				require.NoError(t, rt.Activate(vs[i]))
			}
			for _, v := range vs {
				<-v.Done()
			}
		}
	}
	run()
	before := liveHeap()
	run()
	room.WaitFor(t, "every message", func() bool { return len(room.Messages()) == 2*n })
	grew := liveHeap() - before
	t.Logf("%d more distinct box names of finished components: the live heap grew %d KiB", n, grew>>10)
	assert.Less(t, grew, int64(1<<20))
}
