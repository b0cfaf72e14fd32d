package axon_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/stretchr/testify/require"
)

// The components below are written by hand the way kamgen generates them:
// a constructor that initialises every box, and a Dispatch.

// relay forwards every message and stops on any control signal, forwarding it.
type relay[T any] struct {
	axon.Component
	In      axon.Inbox[T]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[T]
	Signal  axon.Outbox[axon.Signal]
	seen    int
}

func newRelay[T any]() *relay[T] {
	r := &relay[T]{}
	r.In.Init(&r.Component, "inbox", 0)
	r.Control.Init(&r.Component, "control", 0)
	r.Out.Init(&r.Component, "outbox", 0)
	r.Signal.Init(&r.Component, "signal", 0)
	return r
}

func (r *relay[T]) Dispatch(t *axon.Turn) {
	axon.Serve(t, &r.In, r.onIn)
	axon.ServeLast(t, &r.Control, r.onControl)
}

func (r *relay[T]) onIn(m T) { r.seen++; r.Out.Send(m) }

func (r *relay[T]) onControl(s axon.Signal) {
	r.Signal.Send(s)
	r.Stop()
}

// sink records what reaches it; it is threaded-safe to read through its
// methods from a test goroutine.
type sink[T any] struct {
	axon.Component
	In      axon.Inbox[T]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[T]
	Signal  axon.Outbox[axon.Signal]

	mu      sync.Mutex
	got     []T
	signals []axon.Signal
	changed chan struct{}
	stopOn  bool // stop on any control signal
}

func newSink[T any]() *sink[T] {
	s := &sink[T]{changed: make(chan struct{}, 1), stopOn: true}
	s.In.Init(&s.Component, "inbox", 0)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 0)
	s.Signal.Init(&s.Component, "signal", 0)
	return s
}

func (s *sink[T]) Dispatch(t *axon.Turn) {
	axon.Serve(t, &s.In, s.onIn)
	axon.ServeLast(t, &s.Control, s.onControl)
}

func (s *sink[T]) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *sink[T]) onIn(m T) {
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	s.poke()
}

func (s *sink[T]) onControl(sig axon.Signal) {
	s.mu.Lock()
	s.signals = append(s.signals, sig)
	s.mu.Unlock()
	s.poke()
	if s.stopOn {
		s.Stop()
	}
}

func (s *sink[T]) messages() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]T(nil), s.got...)
}

func (s *sink[T]) sigs() []axon.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]axon.Signal(nil), s.signals...)
}

// waitFor waits until cond holds, re-checking whenever the sink changes.
func (s *sink[T]) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for !cond() {
		select {
		case <-s.changed:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (s *sink[T]) waitCount(t *testing.T, n int) []T {
	t.Helper()
	s.waitFor(t, "messages", func() bool { return len(s.messages()) >= n })
	return s.messages()
}

// source is a threaded component that sends the messages it is given, then
// a ProducerFinished, and returns.
type source[T any] struct {
	axon.Component
	In      axon.Inbox[T]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[T]
	Signal  axon.Outbox[axon.Signal]
	msgs    []T
}

func newSource[T any](msgs ...T) *source[T] {
	s := &source[T]{msgs: msgs}
	s.In.Init(&s.Component, "inbox", 0)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 0)
	s.Signal.Init(&s.Component, "signal", 0)
	return s
}

func (s *source[T]) Main(ctx context.Context) error {
	for _, m := range s.msgs {
		if err := s.Out.Send(m); err != nil {
			return err
		}
	}
	return s.Signal.Send(axon.Finished(s))
}

// newRT starts a runtime that the test shuts down.
func newRT(t *testing.T, opts ...axon.Option) *axon.Runtime {
	t.Helper()
	rt := axon.NewRuntime(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	})
	return rt
}

// waitDone waits for a component to finish.
func waitDone(t *testing.T, p axon.Part) {
	t.Helper()
	select {
	case <-p.Base().Done():
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not finish", p.Base().Name())
	}
}

func mustLink[T any](t *testing.T, out *axon.Outbox[T], in *axon.Inbox[T]) *axon.Linkage {
	t.Helper()
	l, err := axon.Link(out, in)
	require.NoError(t, err)
	return l
}
