package chassis_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/stretchr/testify/require"
)

// Compile-time checks: every container is a stage.
var (
	_ axon.Stage[int, string] = (*chassis.Pipeline[int, string])(nil)
	_ axon.Stage[int, string] = (*chassis.Graphline[int, string])(nil)
	_ axon.Stage[int, string] = (*chassis.Carousel[bool, int, string])(nil)
	_ axon.Stage[int, string] = (*chassis.Seq[int, string])(nil)
)

// Mirrors test_Pipeline.py :: test_PipelineActivatesChildrenOnlyWhenActivated.
func TestPipelineActivatesChildrenOnlyWhenActivated(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](3)
	p := chassis.Pipeline3(ms[0], ms[1], ms[2])

	settle(t, rt)
	for _, m := range ms {
		require.False(t, m.hasStarted(), "a stage ran before its Pipeline was activated")
		require.Nil(t, m.Runtime())
	}
	require.Empty(t, p.Children())

	activate(t, rt, p)
	waitStarted(t, ms...)
	for _, m := range ms {
		require.Same(t, p.Base(), m.Parent(), "the stages are the Pipeline's children")
	}
	require.Len(t, p.Children(), 3)
	require.Equal(t, []axon.Part{ms[0], ms[1], ms[2]}, p.Stages())
}

// Mirrors test_Pipeline.py :: test_PipelineTerminatesOnlyWhenAllChildrenHaveTerminated:
// stop the stages one at a time; only the last one's end ends the Pipeline.
func TestPipelineTerminatesOnlyWhenAllChildrenHaveTerminated(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](3)
	p := chassis.Pipeline3(ms[0], ms[1], ms[2])
	activate(t, rt, p)
	waitStarted(t, ms...)

	for i, m := range ms {
		settle(t, rt) // the Pipeline has handled the previous stage's end
		require.False(t, p.Finished(), "finished with %d stages still running", len(ms)-i)
		require.False(t, p.Stopping(), "the Pipeline stopped itself with %d stages still running", len(ms)-i)
		for _, rest := range ms[i:] {
			require.False(t, rest.Stopping(), "the Pipeline stopped a running stage")
		}
		m.Stop()
		axontest.WaitDone(t, m)
	}
	require.NoError(t, waitFinished(t, p))
}

// Mirrors test_Pipeline.py :: test_PipelineChildrenWiredOutboxInbox.
func TestPipelineChildrenWiredOutboxInbox(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](4)
	p := chassis.Pipeline4(ms[0], ms[1], ms[2], ms[3])
	out := observe(t, rt, &p.Out)
	activate(t, rt, p)
	waitStarted(t, ms...)

	m := &msg{0}
	send(t, &ms[0].Out, m)
	for i, child := range ms[1:] {
		got := child.WaitCount(t, 1)
		require.Len(t, got, 1)
		require.Same(t, m, got[0], "stage %d's outbox feeds stage %d's inbox", i, i+1)
		if child == ms[len(ms)-1] {
			break
		}
		m = &msg{i + 1}
		send(t, &child.Out, m)
	}
	settle(t, rt)
	for _, child := range ms {
		require.Empty(t, child.Signals(), "data reached a control inbox")
	}
	require.Zero(t, ms[0].received(), "data reached the first stage")
	require.Empty(t, out.Messages(), "data left the Pipeline that the last stage did not send")
}

// Mirrors test_Pipeline.py :: test_PipelineChildrenWiredSignalControl.
func TestPipelineChildrenWiredSignalControl(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](4)
	p := chassis.Pipeline4(ms[0], ms[1], ms[2], ms[3])
	sig := observe(t, rt, &p.Signal)
	activate(t, rt, p)
	waitStarted(t, ms...)

	s := token(0)
	send(t, &ms[0].Signal, s)
	for i, child := range ms[1:] {
		got := child.WaitSignals(t, 1)
		require.Len(t, got, 1)
		require.Same(t, s, got[0], "stage %d's signal feeds stage %d's control", i, i+1)
		if child == ms[len(ms)-1] {
			break
		}
		s = token(i + 1)
		send(t, &child.Signal, s)
	}
	settle(t, rt)
	for _, child := range ms {
		require.Empty(t, child.Messages(), "a signal reached an inbox")
	}
	require.Empty(t, sig.Messages(), "a signal left the Pipeline that the last stage did not send")
}

// Mirrors test_Pipeline.py :: test_PipelineFirstChildWiredToParentInboxes. A
// message sent to the Pipeline before it ran (so before its links existed)
// reaches the first stage too, as in Kamaelia.
func TestPipelineFirstChildWiredToParentInboxes(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](4)
	p := chassis.Pipeline4(ms[0], ms[1], ms[2], ms[3])
	early := &msg{-1}
	require.NoError(t, p.In.Deliver(early))
	activate(t, rt, p)
	waitStarted(t, ms...)

	m := &msg{1}
	require.NoError(t, p.In.Deliver(m))
	got := ms[0].WaitCount(t, 2)
	require.Len(t, got, 2)
	require.Same(t, early, got[0])
	require.Same(t, m, got[1])

	s := token(2)
	require.NoError(t, p.Control.Deliver(s))
	sigs := ms[0].WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	require.Same(t, s, sigs[0])

	settle(t, rt)
	for _, child := range ms[1:] {
		require.Zero(t, child.received())
	}
}

// Mirrors test_Pipeline.py :: test_PipelineLastChildWiredToParentOutboxes.
func TestPipelineLastChildWiredToParentOutboxes(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[*msg](4)
	p := chassis.Pipeline4(ms[0], ms[1], ms[2], ms[3])
	out, sig := observe(t, rt, &p.Out), observe(t, rt, &p.Signal)
	activate(t, rt, p)
	waitStarted(t, ms...)

	m := &msg{1}
	send(t, &ms[3].Out, m)
	got := out.WaitCount(t, 1)
	require.Same(t, m, got[0])

	s := token(2)
	send(t, &ms[3].Signal, s)
	sigs := sig.WaitCount(t, 1)
	require.Same(t, s, sigs[0])

	settle(t, rt)
	require.Len(t, out.Messages(), 1)
	require.Len(t, sig.Messages(), 1)
}

// Pipeline3 infers its four type arguments from its stages' methods: the
// stages below take and send int, string, []byte and float64, and no type
// argument is written. Swapping the last two stages,
//
//	chassis.Pipeline3(itoa, measure, exclaim)
//
// does not compile: measure takes []byte and itoa sends string
// (TestPipelineMismatchDoesNotCompile checks exactly that).
func TestPipelineInfersStageTypes(t *testing.T) {
	rt := axontest.Runtime(t)
	itoa := newMap(func(n int) (string, bool) { return strconv.Itoa(n), true })
	exclaim := newMap(func(s string) ([]byte, bool) { return []byte(s + "!"), true })
	measure := newMap(func(b []byte) (float64, bool) { return float64(len(b)) / 2, true })
	p := chassis.Pipeline3(itoa, exclaim, measure)
	var _ *chassis.Pipeline[int, float64] = p // the types inferred

	out, sig := observe(t, rt, &p.Out), observe(t, rt, &p.Signal)
	activate(t, rt, p)
	for _, n := range []int{7, 42, 1000} {
		require.NoError(t, p.In.Deliver(n))
	}
	pf := &axon.ProducerFinished{Caller: t.Name()}
	require.NoError(t, p.Control.Deliver(pf))

	require.NoError(t, waitFinished(t, p))
	require.Equal(t, []float64{1, 1.5, 2.5}, out.WaitCount(t, 3))
	got := sig.WaitCount(t, 1)
	require.Same(t, pf, got[0], "the shutdown travels down the stages and out, the same object")
}

// Every generated constructor, from Pipeline2 to Pipeline10, wires its
// stages in order. Each pipeline is itself the middle stage of an outer
// Pipeline3 between a Source and a Sink: pipelines nest.
func TestPipelineConstructors(t *testing.T) {
	type stage = *mapStage[int, int]
	build := map[int]func(s []stage) *chassis.Pipeline[int, int]{
		2: func(s []stage) *chassis.Pipeline[int, int] { return chassis.Pipeline2(s[0], s[1]) },
		3: func(s []stage) *chassis.Pipeline[int, int] { return chassis.Pipeline3(s[0], s[1], s[2]) },
		4: func(s []stage) *chassis.Pipeline[int, int] { return chassis.Pipeline4(s[0], s[1], s[2], s[3]) },
		5: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline5(s[0], s[1], s[2], s[3], s[4])
		},
		6: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline6(s[0], s[1], s[2], s[3], s[4], s[5])
		},
		7: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline7(s[0], s[1], s[2], s[3], s[4], s[5], s[6])
		},
		8: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline8(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
		},
		9: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline9(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])
		},
		10: func(s []stage) *chassis.Pipeline[int, int] {
			return chassis.Pipeline10(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9])
		},
	}
	const n = 500
	for stages := 2; stages <= 10; stages++ {
		t.Run(fmt.Sprintf("Pipeline%d", stages), func(t *testing.T) {
			rt := axontest.Runtime(t)
			s := make([]stage, stages)
			for i := range s {
				k := i
				// Stage k multiplies by 10 and adds k: the digits of the
				// result spell the order the stages ran in.
				s[i] = newMap(func(m int) (int, bool) { return m*10 + k, true })
			}
			inner := build[stages](s)
			require.Len(t, inner.Stages(), stages)
			src := axontest.NewSource(ints(n)...)
			snk := axontest.NewSink[int]()
			outer := chassis.Pipeline3(src, inner, snk)
			activate(t, rt, outer)

			require.NoError(t, waitFinished(t, outer))
			want := make([]int, n)
			for i := range want {
				v := i
				for k := range stages {
					v = v*10 + k
				}
				want[i] = v
			}
			require.Equal(t, want, snk.Messages())
			sigs := snk.Signals()
			require.Len(t, sigs, 1)
			require.IsType(t, &axon.ProducerFinished{}, sigs[0])
			require.Same(t, src, sigs[0].(*axon.ProducerFinished).Caller, "the Source's own ProducerFinished went all the way")
		})
	}
}

// Kamaelia's circular=True: the last stage feeds the first, and nothing
// comes out of the Pipeline itself.
func TestPipelineCircular(t *testing.T) {
	rt := newRT(t)
	countdown := newMap(func(n int) (int, bool) { return n - 1, n > 0 })
	tap := relay[int]()
	p := chassis.Circular(chassis.Pipeline2(countdown, tap))
	out, sig := observe(t, rt, &p.Out), observe(t, rt, &p.Signal)
	activate(t, rt, p)

	require.NoError(t, p.In.Deliver(3))
	require.Equal(t, []int{2, 1, 0}, tap.waitTaken(t, 3), "the last stage's outbox feeds the first's inbox")
	require.Equal(t, []int{3, 2, 1, 0}, countdown.waitTaken(t, 4))

	pf := &axon.ProducerFinished{Caller: t.Name()}
	require.NoError(t, p.Control.Deliver(pf))
	require.NoError(t, waitFinished(t, p))
	settle(t, rt)
	require.Empty(t, out.Messages(), "a circular Pipeline's outbox sends nothing")
	require.Empty(t, sig.Messages(), "a circular Pipeline's signal sends nothing")
	require.Equal(t, int64(1), rt.Dropped(), "the last stage's signal went back to the first's control, where the finished first stage left it")
}

// A stage that panics fails the Pipeline, which stops the other stages.
func TestPipelineStageFailureFailsPipeline(t *testing.T) {
	rt := quietRT(t)
	bomb := newMap(func(n int) (int, bool) { panic(fmt.Sprintf("boom %d", n)) })
	rest := newMock[int]()
	p := chassis.Pipeline2(bomb, rest)
	activate(t, rt, p)
	waitStarted(t, rest)
	require.NoError(t, p.In.Deliver(7))

	err := waitFinished(t, p)
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "boom 7", pe.Value)
	require.True(t, rest.Finished(), "the other stages were stopped")
}

// A stage whose box is already linked elsewhere cannot be wired: the
// Pipeline fails when it starts, and starts no stage.
func TestPipelineLinkErrorFailsPipeline(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[int](2)
	elsewhere := axontest.NewSink[int]()
	axontest.Link(t, &ms[0].Out, &elsewhere.In)
	p := chassis.Pipeline2(ms[0], ms[1])
	activate(t, rt, p)

	err := waitFinished(t, p)
	require.ErrorIs(t, err, axon.ErrAlreadyLinked)
	for _, m := range ms {
		require.False(t, m.hasStarted())
	}
}

// Stop stops the Pipeline and its stages at once; the Pipeline itself sends
// nothing.
func TestPipelineStop(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[int](3)
	p := chassis.Pipeline3(ms[0], ms[1], ms[2])
	sig := observe(t, rt, &p.Signal)
	activate(t, rt, p)
	waitStarted(t, ms...)

	p.Stop()
	require.NoError(t, waitFinished(t, p))
	for _, m := range ms {
		require.True(t, m.Finished())
	}
	settle(t, rt)
	require.Empty(t, sig.Messages())
}

func TestPipelineConstructorPanics(t *testing.T) {
	m := newMock[int]()
	require.PanicsWithValue(t, "chassis: Pipeline3: stage 2 is nil", func() {
		chassis.Pipeline3(m, nil, newMock[int]())
	})
	require.Panics(t, func() { chassis.Pipeline2(m, m) }, "a stage listed twice")
	require.PanicsWithValue(t, "chassis: NewSeq: stage 1 is nil", func() {
		chassis.NewSeq[int, int](nil)
	})
}
