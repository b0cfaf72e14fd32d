package axon_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmokePipeline(t *testing.T) {
	rt := newRT(t)
	const n = 10000
	msgs := make([]int, n)
	for i := range msgs {
		msgs[i] = i
	}
	src := newSource(msgs...)
	a, b := newRelay[int](), newRelay[int]()
	snk := newSink[int]()
	mustLink(t, &src.Out, &a.In)
	mustLink(t, &a.Out, &b.In)
	mustLink(t, &b.Out, &snk.In)
	mustLink(t, &src.Signal, &a.Control)
	mustLink(t, &a.Signal, &b.Control)
	mustLink(t, &b.Signal, &snk.Control)
	require.NoError(t, rt.Activate(src, a, b, snk))
	got := snk.waitCount(t, n)
	require.Equal(t, msgs, got)
	waitDone(t, snk)
	waitDone(t, a)
	require.Len(t, snk.sigs(), 1)
}
