package axon_test

import (
	"context"
	"sync"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// visited is what one Walk saw.
type visited struct {
	parts  []axon.Part
	depths []int
}

func walkAll(rt *axon.Runtime) visited {
	var v visited
	rt.Walk(func(p axon.Part, depth int) bool {
		v.parts = append(v.parts, p)
		v.depths = append(v.depths, depth)
		return true
	})
	return v
}

func boxNamed(t *testing.T, boxes []axon.BoxState, name string) axon.BoxState {
	t.Helper()
	for _, b := range boxes {
		if b.Box.Name() == name {
			return b
		}
	}
	t.Fatalf("no box %q among %d", name, len(boxes))
	return axon.BoxState{}
}

func TestWalkVisitsTheTreeAsActivated(t *testing.T) {
	rt := newRT(t)
	top := newRelay[int]()
	th := &threadedNoop{}
	bound := newHooked()
	require.NoError(t, rt.Activate(top, th))
	child := newCounting()
	require.NoError(t, top.Start(child, bound))

	var got visited
	eventually(t, "the children to be visited", func() bool {
		got = walkAll(rt)
		return len(got.parts) == 4
	})
	// Each component is given as the struct that embeds it, so that a
	// type switch finds it, whichever way its hooks were found.
	assert.Same(t, top, got.parts[0])
	assert.Equal(t, []int{0, 1, 1, 0}, got.depths)
	assert.ElementsMatch(t, []axon.Part{child, bound}, got.parts[1:3])
	assert.Same(t, th, got.parts[3])

	// visit returning false skips the children.
	n := 0
	rt.Walk(func(axon.Part, int) bool { n++; return false })
	assert.Equal(t, 2, n)
}

func TestBoxesTellDepthCapacityAndWhereMessagesGo(t *testing.T) {
	rt := newRT(t)
	held := newRelay[int]() // its outbox is linked nowhere: it keeps what is sent
	held.Out.SetCap(5)
	linked := newRelay[int]()
	sink := newCounting()
	mustLink(t, &linked.Out, &sink.In)
	require.NoError(t, rt.Activate(held, linked, sink))
	for i := range 3 {
		require.NoError(t, held.In.Deliver(i))
	}
	eventually(t, "three messages held in the outbox", func() bool { return held.Out.Len() == 3 })

	boxes := held.AppendBoxes(nil)
	require.Len(t, boxes, 4)
	assert.Equal(t, []string{"inbox", "control", "outbox", "signal"},
		[]string{boxes[0].Box.Name(), boxes[1].Box.Name(), boxes[2].Box.Name(), boxes[3].Box.Name()})
	out := boxNamed(t, boxes, "outbox")
	assert.Equal(t, 3, out.Len)
	assert.Equal(t, 5, out.Cap)
	assert.Equal(t, axon.Out, out.Box.Dir())
	assert.Same(t, &held.Component, out.Box.Owner())
	assert.Nil(t, out.To)
	assert.Equal(t, axon.DefaultCapacity, boxNamed(t, boxes, "inbox").Cap)

	to := boxNamed(t, linked.AppendBoxes(nil), "outbox").To
	require.NotNil(t, to)
	assert.Same(t, &sink.Component, to.Owner())
	assert.Equal(t, "inbox", to.Name())

	assert.Nil(t, newRelay[int]().AppendBoxes(nil), "not activated")
}

// TestWalkWhileMessagesFlow is for the race detector: a picture is taken
// from another goroutine while components start, send and finish.
func TestWalkWhileMessagesFlow(t *testing.T) {
	rt := newRT(t)
	src := newRelay[int]()
	sink := newCounting()
	mustLink(t, &src.Out, &sink.In)
	require.NoError(t, rt.Activate(src, sink))

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			_ = src.In.Put(ctx, i)
			if i%100 == 0 {
				c := newCounting()
				if src.Start(c) == nil {
					c.Stop()
				}
			}
		}
	})
	for range 200 {
		rt.Walk(func(p axon.Part, _ int) bool {
			for _, b := range p.Base().AppendBoxes(nil) {
				require.GreaterOrEqual(t, b.Len, 0)
				require.Positive(t, b.Cap)
			}
			return true
		})
	}
	cancel()
	wg.Wait()
}
