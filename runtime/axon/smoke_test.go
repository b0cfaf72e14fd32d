package axon_test

import (
	"testing"

	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/require"
)

func TestPipelineOfRelaysDeliversEverythingInOrder(t *testing.T) {
	rt := newRT(t)
	const n = 10000
	msgs := make([]int, n)
	for i := range msgs {
		msgs[i] = i
	}
	src := axontest.NewSource(msgs...)
	a, b := newRelay[int](), newRelay[int]()
	snk := axontest.NewSink[int]()
	mustLink(t, &src.Out, &a.In)
	mustLink(t, &a.Out, &b.In)
	mustLink(t, &b.Out, &snk.In)
	mustLink(t, &src.Signal, &a.Control)
	mustLink(t, &a.Signal, &b.Control)
	mustLink(t, &b.Signal, &snk.Control)
	require.NoError(t, rt.Activate(src, a, b, snk))
	waitDone(t, snk)
	require.Equal(t, msgs, snk.Messages())
	waitDone(t, a)
	waitDone(t, b)
	require.Len(t, snk.Signals(), 1, "the producerFinished reaches the end once")
}
