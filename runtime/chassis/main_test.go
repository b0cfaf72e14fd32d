package chassis_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newRT starts a runtime with one worker, shut down when the test ends. One
// worker makes settle exact; tests that want parallel turns use
// axontest.Runtime directly.
func newRT(t *testing.T) *axon.Runtime {
	t.Helper()
	return axontest.Runtime(t, axon.WithWorkers(1))
}

// quietRT is newRT with a logger that drops everything, for tests in which
// a component panics on purpose.
func quietRT(t *testing.T) *axon.Runtime {
	t.Helper()
	return axontest.Runtime(t, axon.WithWorkers(1), axon.WithLogger(slog.New(slog.DiscardHandler)))
}

// activate arms parts (see arm) and activates them in rt.
func activate(t *testing.T, rt *axon.Runtime, parts ...axon.Part) {
	t.Helper()
	arm(parts...)
	require.NoError(t, rt.Activate(parts...))
}

// arm calls Done on each part before it can finish. It works around an axon
// bug: the first call of Done made while a component is finishing (after its
// state becomes done, before finish closes the channel) makes a closed
// channel that finish then closes again, a panic. A Done channel made before
// the component finishes is closed once. Every component a test waits for is
// armed, by its constructor here or by activate.
func arm(parts ...axon.Part) {
	for _, p := range parts {
		p.Base().Done()
	}
}

// settle returns once every reactive turn that was queued in rt (started
// by newRT, one worker) when it was called has run, and every turn those
// turns queued. It is how a test shows that something did NOT happen: a
// component that would have done it has had its chance.
//
// It works because one worker runs turns one at a time, first in, first
// out: settle starts a probe and sends it two messages, one after the other.
// When the probe has handled the first, every turn queued before it has run,
// including the one in progress when settle was called; when it has handled
// the second, so has every turn those queued. Should the scheduler ever stop
// being first in, first out, settle becomes weaker, and tests that use it
// can miss a bug but never fail a correct implementation.
func settle(t *testing.T, rt *axon.Runtime) {
	t.Helper()
	probe := axontest.NewSink[int]()
	activate(t, rt, probe)
	for i := range 2 {
		require.NoError(t, probe.In.Deliver(i))
		probe.WaitFor(t, "the settle probe", func() bool { return len(probe.Messages()) > i })
	}
	probe.Stop()
	axontest.WaitDone(t, probe)
}

// msg is a message with an identity, like the object() of Kamaelia's tests:
// require.Same tells one from another.
type msg struct{ n int }

// token returns a new signal with an identity, for tests whose messages flow
// between inboxes and control inboxes alike. It is a ProducerFinished, so a
// Graphline does not remember it as a shutdown.
func token(n int) axon.Signal { return &axon.ProducerFinished{Message: n} }

// mock is Kamaelia's MockChild: a reactive component with the four standard
// boxes that records what reaches its inbox and its control inbox, never
// stops by itself (the test calls Stop, MockChild's stopNow), and closes
// started when it first runs (MockChild's wasActivated). The test may send
// on its outboxes with send, since the mock never sends.
type mock[T any] struct {
	*axontest.Sink[T]
	started chan struct{}
}

func newMock[T any]() *mock[T] {
	m := &mock[T]{Sink: axontest.NewSink[T](), started: make(chan struct{})}
	m.KeepRunning = true
	arm(m)
	return m
}

func newMocks[T any](n int) []*mock[T] {
	ms := make([]*mock[T], n)
	for i := range ms {
		ms[i] = newMock[T]()
	}
	return ms
}

// OnStart records that the mock was activated and ran.
func (m *mock[T]) OnStart() { close(m.started) }

// hasStarted reports, without waiting, whether the mock has run.
func (m *mock[T]) hasStarted() bool {
	select {
	case <-m.started:
		return true
	default:
		return false
	}
}

// received is how many messages and signals reached the mock, counted in
// its inboxes too, so that a message not yet handled still counts.
func (m *mock[T]) received() int {
	return len(m.Messages()) + len(m.Signals()) + m.In.Len() + m.Control.Len()
}

func waitStarted[T any](t *testing.T, ms ...*mock[T]) {
	t.Helper()
	for i, m := range ms {
		waitClosed(t, m.started, fmt.Sprintf("mock %d of %d to start", i, len(ms)))
	}
}

// waitClosed waits for ch to be closed.
func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(axontest.Timeout):
		t.Fatalf("timed out after %v waiting for %s", axontest.Timeout, what)
	}
}

// stopAll stops the mocks one by one, as Kamaelia's tests call stopNow.
func stopAll[T any](ms ...*mock[T]) {
	for _, m := range ms {
		m.Stop()
	}
}

// send sends v on out from the test, waiting for room. Only for an outbox
// whose owner never sends on it itself (a mock's).
func send[T any](t *testing.T, out *axon.Outbox[T], v T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), axontest.Timeout)
	defer cancel()
	require.NoError(t, out.SendContext(ctx, v))
}

// observe links out to a new sink, started in rt, that records what comes
// out of it.
func observe[T any](t *testing.T, rt *axon.Runtime, out *axon.Outbox[T]) *axontest.Sink[T] {
	t.Helper()
	s := axontest.NewSink[T]()
	axontest.Link(t, out, &s.In)
	activate(t, rt, s)
	return s
}

// waitFinished fails the test if p has not finished within the timeout, and
// returns the error it finished with.
func waitFinished(t *testing.T, p axon.Part) error {
	t.Helper()
	axontest.WaitDone(t, p)
	return p.Base().Err()
}

// mapStage is a stage that sends f(m) for each message m (or nothing when f
// reports false), and on any control signal forwards that same signal out of
// its signal outbox and stops: a polite filter. It records what it took.
type mapStage[A, B any] struct {
	axon.Component
	In      axon.Inbox[A]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[B]
	Signal  axon.Outbox[axon.Signal]
	f       func(A) (B, bool)

	mu   sync.Mutex
	seen []A
	poke chan struct{}
}

func newMap[A, B any](f func(A) (B, bool)) *mapStage[A, B] {
	s := &mapStage[A, B]{f: f, poke: make(chan struct{}, 1)}
	s.In.Init(&s.Component, "inbox", 0)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 0)
	s.Signal.Init(&s.Component, "signal", 0)
	arm(s)
	return s
}

// relay returns a mapStage that forwards every message unchanged.
func relay[T any]() *mapStage[T, T] { return newMap(func(m T) (T, bool) { return m, true }) }

func (s *mapStage[A, B]) StdInbox() *axon.Inbox[A]             { return &s.In }
func (s *mapStage[A, B]) StdControl() *axon.Inbox[axon.Signal] { return &s.Control }
func (s *mapStage[A, B]) StdOutbox() *axon.Outbox[B]           { return &s.Out }
func (s *mapStage[A, B]) StdSignal() *axon.Outbox[axon.Signal] { return &s.Signal }

func (s *mapStage[A, B]) Dispatch(t *axon.Turn) {
	axon.Serve(t, &s.In, s.onIn)
	axon.ServeLast(t, &s.Control, s.onControl)
}

func (s *mapStage[A, B]) onIn(m A) {
	s.mu.Lock()
	s.seen = append(s.seen, m)
	s.mu.Unlock()
	select {
	case s.poke <- struct{}{}:
	default:
	}
	if out, ok := s.f(m); ok {
		s.Out.Send(out)
	}
}

func (s *mapStage[A, B]) onControl(sig axon.Signal) {
	s.Signal.Send(sig)
	s.Stop()
}

// taken returns what the stage has taken so far.
func (s *mapStage[A, B]) taken() []A {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]A(nil), s.seen...)
}

// waitTaken waits until the stage has taken n messages.
func (s *mapStage[A, B]) waitTaken(t *testing.T, n int) []A {
	t.Helper()
	deadline := time.After(axontest.Timeout)
	for len(s.taken()) < n {
		select {
		case <-s.poke:
		case <-deadline:
			t.Fatalf("%s took %d messages, not %d, within %v", s.Name(), len(s.taken()), n, axontest.Timeout)
		}
	}
	return s.taken()
}

// ints returns 0, 1, ... n-1.
func ints(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// gate is a component that leaves the signals in its control inbox unread
// until it is opened, then records them: a child whose control fills up.
type gate struct {
	axon.Component
	In      axon.Inbox[int]
	Control axon.Inbox[axon.Signal]
	started chan struct{}
	opened  atomic.Bool

	mu   sync.Mutex
	sigs []axon.Signal
	poke chan struct{}
}

func newGate() *gate {
	g := &gate{started: make(chan struct{}), poke: make(chan struct{}, 1)}
	g.In.Init(&g.Component, "inbox", 0)
	g.Control.Init(&g.Component, "control", 0)
	arm(g)
	return g
}

func (g *gate) StdControl() *axon.Inbox[axon.Signal] { return &g.Control }

func (g *gate) OnStart() { close(g.started) }

func (g *gate) Dispatch(t *axon.Turn) {
	axon.Serve(t, &g.In, func(int) {})
	if g.opened.Load() {
		axon.Serve(t, &g.Control, g.onControl)
	}
}

func (g *gate) onControl(s axon.Signal) {
	g.mu.Lock()
	g.sigs = append(g.sigs, s)
	g.mu.Unlock()
	select {
	case g.poke <- struct{}{}:
	default:
	}
}

// open lets the gate read its control inbox from now on.
func (g *gate) open() {
	g.opened.Store(true)
	_ = g.In.Deliver(0) // a turn, to read what waits
}

func (g *gate) signals() []axon.Signal {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]axon.Signal(nil), g.sigs...)
}

func (g *gate) waitSignals(t *testing.T, n int) []axon.Signal {
	t.Helper()
	deadline := time.After(axontest.Timeout)
	for len(g.signals()) < n {
		select {
		case <-g.poke:
		case <-deadline:
			t.Fatalf("the gate got %d signals, not %d, within %v", len(g.signals()), n, axontest.Timeout)
		}
	}
	return g.signals()
}
