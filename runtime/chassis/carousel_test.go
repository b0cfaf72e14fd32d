package chassis_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/stretchr/testify/require"
)

// children is the factory of the Carousel tests, Kamaelia's defaultFactory:
// it makes a mock for each argument and records it.
type children struct {
	polite bool // the mocks stop on their first control signal

	mu      sync.Mutex
	args    []string
	made    []*mock[*msg]
	oldDone []bool // per child: had every older child finished when it was made?
	poke    chan struct{}
}

func newChildren(polite bool) *children {
	return &children{polite: polite, poke: make(chan struct{}, 1)}
}

func (cs *children) factory(arg string) axon.Stage[*msg, *msg] {
	m := newMock[*msg]()
	m.KeepRunning = !cs.polite
	cs.mu.Lock()
	done := true
	for _, old := range cs.made {
		done = done && old.Finished()
	}
	cs.args = append(cs.args, arg)
	cs.made = append(cs.made, m)
	cs.oldDone = append(cs.oldDone, done)
	cs.mu.Unlock()
	select {
	case cs.poke <- struct{}{}:
	default:
	}
	return m
}

func (cs *children) list() ([]string, []*mock[*msg]) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.args...), append([]*mock[*msg](nil), cs.made...)
}

func (cs *children) count() int {
	_, made := cs.list()
	return len(made)
}

// waitMade waits until n children have been made, and returns them.
func (cs *children) waitMade(t *testing.T, n int) []*mock[*msg] {
	t.Helper()
	deadline := time.After(axontest.Timeout)
	for cs.count() < n {
		select {
		case <-cs.poke:
		case <-deadline:
			t.Fatalf("%d children made, not %d, within %v", cs.count(), n, axontest.Timeout)
		}
	}
	_, made := cs.list()
	return made
}

// rig is Kamaelia's setup_test: a Carousel of mocks, started, with
// observers on its outboxes.
type rig struct {
	rt   *axon.Runtime
	c    *chassis.Carousel[string, *msg, *msg]
	kids *children
	out  *axontest.Sink[*msg]
	sig  *axontest.Sink[axon.Signal]
	reqs *axontest.Sink[string]
}

func newRig(t *testing.T, makeFirstRequest, politeChildren bool) *rig {
	t.Helper()
	r := &rig{rt: newRT(t), kids: newChildren(politeChildren)}
	r.c = chassis.NewCarousel(r.kids.factory, makeFirstRequest)
	r.out = observe(t, r.rt, &r.c.Out)
	r.sig = observe(t, r.rt, &r.c.Signal)
	r.reqs = observe(t, r.rt, &r.c.RequestNext)
	activate(t, r.rt, r.c)
	return r
}

func (r *rig) next(t *testing.T, arg string) {
	t.Helper()
	require.NoError(t, r.c.Next.Deliver(arg))
}

func (r *rig) control(t *testing.T, s axon.Signal) {
	t.Helper()
	require.NoError(t, r.c.Control.Deliver(s))
}

// child sends a next request and returns the child it made, started.
func (r *rig) child(t *testing.T, arg string) *mock[*msg] {
	t.Helper()
	n := r.kids.count()
	r.next(t, arg)
	m := r.kids.waitMade(t, n+1)[n]
	waitStarted(t, m)
	return m
}

// requireNothingOn checks, once everything queued has run, that the carousel sent
// nothing on the outboxes named.
func (r *rig) requireNothingOn(t *testing.T, boxes ...string) {
	t.Helper()
	settle(t, r.rt)
	for _, b := range boxes {
		switch b {
		case "outbox":
			require.Empty(t, r.out.Messages(), "sent on outbox")
		case "signal":
			require.Empty(t, r.sig.Messages(), "sent on signal")
		case "requestNext":
			require.Empty(t, r.reqs.Messages(), "sent on requestNext")
		default:
			t.Fatalf("no outbox %q", b)
		}
	}
}

// stops are the two stopping signals, each test run with both.
var stops = []struct {
	name string
	make func() axon.Signal
}{
	{"producerFinished", func() axon.Signal { return &axon.ProducerFinished{Caller: nil} }},
	{"shutdownMicroprocess", func() axon.Signal { return &axon.ShutdownMicroprocess{} }},
}

// Mirrors test_Carousel.py :: test_byDefaultDoesNothing.
func TestCarouselByDefaultDoesNothing(t *testing.T) {
	r := newRig(t, false, false)
	r.requireNothingOn(t, "outbox", "signal", "requestNext")
	require.Zero(t, r.kids.count(), "no child is made")
	require.False(t, r.c.Stopping(), "the carousel is still running")
}

// Mirrors test_Carousel.py :: test_canAskToMake1stRequest.
func TestCarouselCanAskToMake1stRequest(t *testing.T) {
	r := newRig(t, true, false)
	r.reqs.WaitCount(t, 1)
	r.requireNothingOn(t, "outbox", "signal")
	require.Equal(t, []string{chassis.NextRequest}, r.reqs.Messages(), "one NEXT")
	require.Equal(t, "NEXT", chassis.NextRequest)
	require.Zero(t, r.kids.count())
	require.False(t, r.c.Stopping())
}

// Mirrors test_Carousel.py :: test_shutsDownWhenToldToAndIdle.
func TestCarouselShutsDownWhenToldToAndIdle(t *testing.T) {
	for _, stop := range stops {
		t.Run(stop.name, func(t *testing.T) {
			r := newRig(t, false, false)
			s := stop.make()
			r.control(t, s)
			require.NoError(t, waitFinished(t, r.c))
			got := r.sig.WaitCount(t, 1)
			r.requireNothingOn(t, "outbox", "requestNext")
			require.Len(t, r.sig.Messages(), 1)
			require.Same(t, s, got[0], "the carousel sends the very signal it was given")
		})
	}
}

// Mirrors test_Carousel.py :: test_messageToNextRunsFactoryFunction and
// test_messageToNextSpawnsChild.
func TestCarouselMessageToNextSpawnsChild(t *testing.T) {
	r := newRig(t, false, false)
	settle(t, r.rt)
	require.Zero(t, r.kids.count())
	m := r.child(t, "BLAH") // made and started
	args, made := r.kids.list()
	require.Equal(t, []string{"BLAH"}, args, "the factory is called with the message")
	require.Equal(t, []*mock[*msg]{m}, made)
	require.Same(t, r.c.Base(), m.Parent())
}

// Mirrors test_Carousel.py :: test_childTerminationTriggersRequestNext.
func TestCarouselChildTerminationTriggersRequestNext(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "BLAH")
	r.requireNothingOn(t, "requestNext")
	m.Stop()
	r.reqs.WaitCount(t, 1)
	r.requireNothingOn(t, "outbox", "signal")
	require.Equal(t, []string{"NEXT"}, r.reqs.Messages(), "one NEXT")
}

// Mirrors test_Carousel.py :: test_childShutdownSignalDoesntTriggerRequest.
func TestCarouselChildShutdownSignalDoesntTriggerRequest(t *testing.T) {
	for _, stop := range stops {
		t.Run(stop.name, func(t *testing.T) {
			r := newRig(t, false, false)
			m := r.child(t, "BLAH")
			send(t, &m.Signal, stop.make())
			r.requireNothingOn(t, "requestNext", "signal")
			require.False(t, m.Stopping())
			// It is the child's end, not its signal, that asks for the next.
			m.Stop()
			r.reqs.WaitCount(t, 1)
		})
	}
}

// Mirrors test_Carousel.py :: test_ChildReceivesShutdownSignal,
// test_terminatingCarouselWithChildPassesSignalToChildToo and
// test_carouselDoesntTerminateUntilChildHas.
func TestCarouselChildReceivesShutdownSignal(t *testing.T) {
	for _, stop := range stops {
		t.Run(stop.name, func(t *testing.T) {
			r := newRig(t, false, false)
			m := r.child(t, "BLAH")
			s := stop.make()
			r.control(t, s)
			got := m.WaitSignals(t, 1)
			require.Same(t, s, got[0], "the child gets the carousel's control signal")

			r.requireNothingOn(t, "signal", "requestNext")
			require.False(t, r.c.Stopping(), "the carousel waits for its child")
			require.False(t, m.Finished())

			m.Stop()
			require.NoError(t, waitFinished(t, r.c))
			require.Same(t, s, r.sig.WaitCount(t, 1)[0])
			r.requireNothingOn(t, "requestNext")
			require.Len(t, r.sig.Messages(), 1)
		})
	}
}

// Mirrors test_Carousel.py :: test_nextRequestStartsNewchildOnceCurrentHasTerminated:
// a new next asks the running child to stop (with a ShutdownMicroprocess)
// and starts the new child only once the old one has finished.
func TestCarouselNextRequestStartsNewChildOnceCurrentHasTerminated(t *testing.T) {
	r := newRig(t, false, false)
	r.child(t, "BLAH")
	for i := range 5 {
		_, made := r.kids.list()
		old := made[len(made)-1]
		r.next(t, fmt.Sprintf("BLAH%d", i))
		got := old.WaitSignals(t, 1)
		require.IsType(t, &axon.ShutdownMicroprocess{}, got[0], "the old child is asked to stop first")
		settle(t, r.rt)
		require.Equal(t, i+1, r.kids.count(), "the new child must wait for the old one to finish")

		old.Stop()
		made = r.kids.waitMade(t, i+2)
		waitStarted(t, made[i+1])
		require.True(t, old.Finished())
		require.False(t, made[i+1].Stopping())
	}
	require.Equal(t, []bool{true, true, true, true, true, true}, r.kids.oldDone, "each child was made after the one before had finished")
	r.requireNothingOn(t, "requestNext") // a next was waiting each time
}

// Mirrors test_Carousel.py :: test_dataReachesChildInbox. Messages sent while
// there is no child wait for the next one.
func TestCarouselDataReachesChildInbox(t *testing.T) {
	r := newRig(t, false, false)
	early := &msg{-1}
	require.NoError(t, r.c.In.Deliver(early))
	m := r.child(t, "BLAH")
	sent := []*msg{early}
	for i := range 5 {
		sent = append(sent, &msg{i})
		require.NoError(t, r.c.In.Deliver(sent[i+1]))
		got := m.WaitCount(t, i+2)
		require.Same(t, sent[i+1], got[i+1])
	}
	require.Same(t, early, m.Messages()[0])

	// Between children, messages wait in the carousel's inbox.
	m.Stop()
	r.reqs.WaitCount(t, 1)
	late := &msg{99}
	require.NoError(t, r.c.In.Deliver(late))
	m2 := r.child(t, "BLAH2")
	require.Same(t, late, m2.WaitCount(t, 1)[0])
	require.Len(t, m.Messages(), 6, "the old child got nothing more")
}

// Mirrors test_Carousel.py :: test_dataReachesCarouselOutbox.
func TestCarouselDataReachesCarouselOutbox(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "BLAH")
	for i := range 5 {
		x := &msg{i}
		send(t, &m.Out, x)
		require.Same(t, x, r.out.WaitCount(t, i+1)[i])
	}
}

// Mirrors test_Carousel.py :: test_childSignalIgnored.
func TestCarouselChildSignalIgnored(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "BLAH")
	for _, s := range []axon.Signal{&axon.ProducerFinished{Caller: nil}, &axon.ShutdownMicroprocess{}, &flurble{}} {
		send(t, &m.Signal, s)
		r.requireNothingOn(t, "signal", "requestNext")
	}
}

// Mirrors test_Carousel.py :: test_queuedNextsFinishedIfProducerFinished:
// the arguments queued on next when a ProducerFinished arrives are all made
// into children, one after the other, before the carousel finishes.
func TestCarouselQueuedNextsFinishedIfProducerFinished(t *testing.T) {
	r := newRig(t, false, false)
	r.child(t, "BLAH")
	pf := &axon.ProducerFinished{Caller: nil}
	r.control(t, pf)
	for i := 1; i < 10; i++ {
		r.next(t, fmt.Sprintf("BLAH%d", i))
	}
	settle(t, r.rt)
	require.Equal(t, 1, r.kids.count())
	require.False(t, r.c.Stopping())

	for i := range 9 {
		made := r.kids.waitMade(t, i+1)
		waitStarted(t, made[i])
		require.False(t, made[i].Finished())
		got := made[i].WaitSignals(t, 1)
		require.Implements(t, (*axon.Signal)(nil), got[0])
		made[i].Stop()
	}
	made := r.kids.waitMade(t, 10)
	last := made[9]
	require.Same(t, pf, last.WaitSignals(t, 1)[0], "the last child gets the ProducerFinished itself")
	settle(t, r.rt)
	require.False(t, r.c.Stopping(), "the carousel waits for its last child")
	last.Stop()
	require.NoError(t, waitFinished(t, r.c))
	require.Same(t, pf, r.sig.WaitCount(t, 1)[0])
	args, _ := r.kids.list()
	require.Equal(t, []string{"BLAH", "BLAH1", "BLAH2", "BLAH3", "BLAH4", "BLAH5", "BLAH6", "BLAH7", "BLAH8", "BLAH9"}, args)
	r.requireNothingOn(t, "requestNext")
}

// Mirrors test_Carousel.py :: test_queuedNextsAbortedIfShutdownMicroprocess.
func TestCarouselQueuedNextsAbortedIfShutdownMicroprocess(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "BLAH")
	sm := &axon.ShutdownMicroprocess{}
	r.control(t, sm)
	for i := 1; i < 10; i++ {
		r.next(t, fmt.Sprintf("BLAH%d", i))
	}
	settle(t, r.rt)
	require.Equal(t, 1, r.kids.count(), "only the one child")
	require.False(t, r.c.Stopping(), "the carousel waits for its child")
	// The carousel may see a next before it sees the signal sent ahead of
	// it, and ask the child to make way first (Kamaelia's test accepts
	// either); the ShutdownMicroprocess itself reaches the child regardless.
	require.IsType(t, &axon.ShutdownMicroprocess{}, m.WaitSignals(t, 1)[0])
	m.WaitFor(t, "the ShutdownMicroprocess to reach the child", func() bool {
		return slices.Contains(m.Signals(), axon.Signal(sm))
	})

	m.Stop()
	require.NoError(t, waitFinished(t, r.c))
	require.Equal(t, 1, r.kids.count(), "only the one child")
	require.Same(t, sm, r.sig.WaitCount(t, 1)[0])
	require.Zero(t, r.c.Next.Len(), "the queued nexts were discarded")
	r.requireNothingOn(t, "requestNext")
}

// Children that stop by themselves on their control signal: a
// ProducerFinished with queued nexts runs through them all without help.
func TestCarouselPoliteChildrenDrainQueue(t *testing.T) {
	r := newRig(t, false, true)
	r.child(t, "a")
	for _, a := range []string{"b", "c", "d"} {
		r.next(t, a)
	}
	pf := &axon.ProducerFinished{Caller: nil}
	r.control(t, pf)
	require.NoError(t, waitFinished(t, r.c))
	args, made := r.kids.list()
	require.Equal(t, []string{"a", "b", "c", "d"}, args)
	for _, m := range made {
		require.True(t, m.Finished())
	}
	require.Same(t, pf, made[3].Signals()[0], "the last child got the ProducerFinished")
	require.Same(t, pf, r.sig.WaitCount(t, 1)[0])
	r.requireNothingOn(t, "requestNext")
}

// A ShutdownMicroprocess while a ProducerFinished is being honoured takes
// over: the queue is dropped and the child told to stop now.
func TestCarouselShutdownOverridesProducerFinished(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "a")
	pf := &axon.ProducerFinished{Caller: nil}
	r.control(t, pf)
	require.Same(t, pf, m.WaitSignals(t, 1)[0])
	r.next(t, "b")
	require.IsType(t, &axon.ShutdownMicroprocess{}, m.WaitSignals(t, 2)[1], "asked to make way for b")
	sm := &axon.ShutdownMicroprocess{}
	r.control(t, sm)
	require.Same(t, sm, m.WaitSignals(t, 3)[2], "the child hears the stop-now too")
	m.Stop()
	require.NoError(t, waitFinished(t, r.c))
	require.Equal(t, 1, r.kids.count(), "b was dropped")
	require.Same(t, sm, r.sig.WaitCount(t, 1)[0])
}

// The intended use: a chooser answers each NEXT with the next argument, and
// the children, finishing by themselves, play one after the other.
func TestCarouselPlaysSourcesInTurn(t *testing.T) {
	rt := axontest.Runtime(t)
	c := chassis.NewCarousel(func(n int) axon.Stage[axon.None, int] {
		return axontest.NewSource(ints(n)...)
	}, true)
	out := observe(t, rt, &c.Out)
	reqs := observe(t, rt, &c.RequestNext)
	sig := observe(t, rt, &c.Signal)
	activate(t, rt, c)

	var want []int
	for i, n := range []int{3, 1, 4} {
		reqs.WaitCount(t, i+1)
		require.NoError(t, c.Next.Deliver(n))
		want = append(want, ints(n)...)
	}
	reqs.WaitCount(t, 4) // the last source has finished
	require.NoError(t, c.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	require.NoError(t, waitFinished(t, c))
	require.Equal(t, want, out.WaitCount(t, len(want)))
	require.Len(t, sig.WaitCount(t, 1), 1)
}

// A child that fails fails the carousel; so does a factory that returns nil.
func TestCarouselChildFailure(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		rt := quietRT(t)
		c := chassis.NewCarousel(func(string) axon.Stage[int, int] {
			return newMap(func(int) (int, bool) { panic("boom") })
		}, false)
		activate(t, rt, c)
		require.NoError(t, c.Next.Deliver("x"))
		require.NoError(t, c.In.Deliver(1))
		var pe *axon.PanicError
		require.ErrorAs(t, waitFinished(t, c), &pe)
	})
	t.Run("nil child", func(t *testing.T) {
		rt := quietRT(t)
		c := chassis.NewCarousel(func(string) axon.Stage[int, int] { return nil }, false)
		activate(t, rt, c)
		require.NoError(t, c.Next.Deliver("x"))
		require.ErrorContains(t, waitFinished(t, c), "factory returned a nil component")
	})
}

// Stop stops the carousel and its child at once: no NEXT, no signal.
func TestCarouselStop(t *testing.T) {
	r := newRig(t, false, false)
	m := r.child(t, "a")
	r.c.Stop()
	require.NoError(t, waitFinished(t, r.c))
	require.True(t, m.Finished())
	r.requireNothingOn(t, "signal", "requestNext", "outbox")
}
