package chassis_test

import (
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/stretchr/testify/require"
)

// Each component starts only when the one before has finished, and the Seq
// ends with a ProducerFinished of its own.
func TestSeqRunsComponentsOneAfterAnother(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](3)
	s := chassis.NewSeq(ms[0], ms[1], ms[2])
	sig := observe(t, rt, &s.Signal)
	settle(t, rt)
	require.False(t, ms[0].hasStarted(), "nothing runs before the Seq is activated")

	activate(t, rt, s)
	for i, m := range ms {
		waitStarted(t, m)
		require.Same(t, s.Base(), m.Parent())
		settle(t, rt)
		for _, later := range ms[i+1:] {
			require.False(t, later.hasStarted(), "a component started before the one before it finished")
		}
		require.Empty(t, sig.Messages())
		m.Stop()
	}
	require.NoError(t, waitFinished(t, s))
	got := sig.WaitCount(t, 1)
	require.IsType(t, &axon.ProducerFinished{}, got[0])
	require.Same(t, s, got[0].(*axon.ProducerFinished).Caller)
}

// The Seq's inbox reaches the current component, and the current
// component's outbox comes out of the Seq's; its signal does not.
func TestSeqPassesInboxAndOutboxToCurrent(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](2)
	s := chassis.NewSeq(ms[0], ms[1])
	out, sig := observe(t, rt, &s.Out), observe(t, rt, &s.Signal)
	activate(t, rt, s)

	for i, m := range ms {
		waitStarted(t, m)
		in := &msg{i}
		require.NoError(t, s.In.Deliver(in))
		require.Same(t, in, m.WaitCount(t, 1)[0])
		o := &msg{10 + i}
		send(t, &m.Out, o)
		require.Same(t, o, out.WaitCount(t, i+1)[i])
		send[axon.Signal](t, &m.Signal, &axon.ProducerFinished{Caller: m})
		settle(t, rt)
		require.Empty(t, sig.Messages(), "a component's signal is dropped")
		m.Stop()
	}
	require.NoError(t, waitFinished(t, s))
	require.Len(t, ms[0].Messages(), 1, "the first component got nothing after it finished")
}

// A sequence of self-finishing sources, in a Pipeline: their outputs come
// one after the other, and the Seq's own ProducerFinished stops the sink.
func TestSeqOfSources(t *testing.T) {
	rt := axontest.Runtime(t)
	seq := chassis.NewSeq(axontest.NewSource(1, 2), axontest.NewSource(3), axontest.NewSource(4, 5, 6))
	snk := axontest.NewSink[int]()
	p := chassis.Pipeline2(seq, snk)
	activate(t, rt, p)
	require.NoError(t, waitFinished(t, p))
	require.Equal(t, []int{1, 2, 3, 4, 5, 6}, snk.Messages())
	require.Len(t, snk.Signals(), 1)
	require.Same(t, seq, snk.Signals()[0].(*axon.ProducerFinished).Caller)
}

// Kamaelia's Seq ignores its control inbox; this one ignores a
// ProducerFinished there.
func TestSeqIgnoresProducerFinished(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](2)
	s := chassis.NewSeq(ms[0], ms[1])
	sig := observe(t, rt, &s.Signal)
	activate(t, rt, s)
	waitStarted(t, ms[0])

	require.NoError(t, s.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	settle(t, rt)
	require.Zero(t, ms[0].received(), "the current component heard nothing")
	require.False(t, s.Stopping())
	require.Empty(t, sig.Messages())

	ms[0].Stop()
	waitStarted(t, ms[1]) // the sequence goes on
	ms[1].Stop()
	require.NoError(t, waitFinished(t, s))
}

// A ShutdownMicroprocess reaches the current component, no further
// component starts, and the Seq sends that same message when the current
// one has finished.
func TestSeqShutdownMicroprocess(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](3)
	s := chassis.NewSeq(ms[0], ms[1], ms[2])
	sig := observe(t, rt, &s.Signal)
	activate(t, rt, s)
	waitStarted(t, ms[0])
	ms[0].Stop()
	waitStarted(t, ms[1])

	sm := &axon.ShutdownMicroprocess{}
	require.NoError(t, s.Control.Deliver(sm))
	require.Same(t, sm, ms[1].WaitSignals(t, 1)[0])
	settle(t, rt)
	require.False(t, s.Stopping(), "the Seq waits for its current component")
	ms[1].Stop()
	require.NoError(t, waitFinished(t, s))
	require.Same(t, sm, sig.WaitCount(t, 1)[0])
	require.False(t, ms[2].hasStarted(), "no component starts after a shutdown")
}

// An empty Seq finishes at once.
func TestSeqEmpty(t *testing.T) {
	rt := newRT(t)
	s := chassis.NewSeq[int, int]()
	sig := observe(t, rt, &s.Signal)
	activate(t, rt, s)
	require.NoError(t, waitFinished(t, s))
	require.IsType(t, &axon.ProducerFinished{}, sig.WaitCount(t, 1)[0])
}

// A component that fails fails the Seq; the rest never start.
func TestSeqChildFailure(t *testing.T) {
	rt := quietRT(t)
	bomb := newMap(func(int) (int, bool) { panic("boom") })
	after := newMock[int]()
	s := chassis.NewSeq[int, int](bomb, after)
	activate(t, rt, s)
	require.NoError(t, s.In.Deliver(1))
	var pe *axon.PanicError
	require.ErrorAs(t, waitFinished(t, s), &pe)
	require.False(t, after.hasStarted())
}
