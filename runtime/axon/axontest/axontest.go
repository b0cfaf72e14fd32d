// Package axontest provides components and helpers for testing code built on
// axon: a Sink that records what reaches it, a Source that sends a fixed list
// of messages, and helpers that start a runtime and wait for components with
// deadlines, never with sleeps.
package axontest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Timeout bounds every wait in this package.
const Timeout = 10 * time.Second

// Runtime starts a runtime that is shut down when the test ends.
func Runtime(t testing.TB, opts ...axon.Option) *axon.Runtime {
	t.Helper()
	rt := axon.NewRuntime(opts...)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		_ = rt.Shutdown(ctx)
	})
	return rt
}

// WaitDone fails the test if p has not finished within Timeout.
func WaitDone(t testing.TB, p axon.Part) {
	t.Helper()
	select {
	case <-p.Base().Done():
	case <-time.After(Timeout):
		t.Fatalf("%s did not finish within %v", p.Base().Name(), Timeout)
	}
}

// Link links out to in or fails the test.
func Link[T any](t testing.TB, out *axon.Outbox[T], in *axon.Inbox[T]) *axon.Linkage {
	t.Helper()
	l, err := axon.Link(out, in)
	if err != nil {
		t.Fatalf("link %s.%s -> %s.%s: %v", out.Owner().Name(), out.Name(), in.Owner().Name(), in.Name(), err)
	}
	return l
}

// Sink is a reactive component with the four standard boxes that records
// every message and signal it receives. By default it stops (forwarding the
// signal) on the first control signal, as a polite consumer does.
type Sink[T any] struct {
	axon.Component
	In      axon.Inbox[T]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[T]
	Signal  axon.Outbox[axon.Signal]

	// KeepRunning makes the sink record control signals without stopping.
	KeepRunning bool

	mu      sync.Mutex
	got     []T
	signals []axon.Signal
	changed chan struct{}
}

// NewSink returns a Sink with every box set up.
func NewSink[T any]() *Sink[T] {
	s := &Sink[T]{changed: make(chan struct{}, 1)}
	s.In.Init(&s.Component, "inbox", 0)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 0)
	s.Signal.Init(&s.Component, "signal", 0)
	return s
}

func (s *Sink[T]) StdInbox() *axon.Inbox[T]             { return &s.In }
func (s *Sink[T]) StdControl() *axon.Inbox[axon.Signal] { return &s.Control }
func (s *Sink[T]) StdOutbox() *axon.Outbox[T]           { return &s.Out }
func (s *Sink[T]) StdSignal() *axon.Outbox[axon.Signal] { return &s.Signal }

// Dispatch serves inbox, then control.
func (s *Sink[T]) Dispatch(t *axon.Turn) {
	axon.Serve(t, &s.In, s.onIn)
	axon.ServeLast(t, &s.Control, s.onControl)
}

func (s *Sink[T]) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *Sink[T]) onIn(m T) {
	s.mu.Lock()
	s.got = append(s.got, m)
	s.mu.Unlock()
	s.poke()
}

func (s *Sink[T]) onControl(sig axon.Signal) {
	s.mu.Lock()
	s.signals = append(s.signals, sig)
	s.mu.Unlock()
	s.poke()
	if !s.KeepRunning {
		s.Signal.Send(sig)
		s.Stop()
	}
}

// OnStop wakes anyone waiting on the sink.
func (s *Sink[T]) OnStop() { s.poke() }

// Messages returns a copy of the messages received so far.
func (s *Sink[T]) Messages() []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]T(nil), s.got...)
}

// Signals returns a copy of the control signals received so far.
func (s *Sink[T]) Signals() []axon.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]axon.Signal(nil), s.signals...)
}

// WaitFor waits until cond holds, checking each time the sink changes; it
// fails the test after Timeout.
func (s *Sink[T]) WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-s.changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", Timeout, what)
		}
	}
}

// WaitCount waits for at least n messages and returns them all.
func (s *Sink[T]) WaitCount(t testing.TB, n int) []T {
	t.Helper()
	s.WaitFor(t, "messages", func() bool { return len(s.Messages()) >= n })
	return s.Messages()
}

// WaitSignals waits for at least n signals and returns them all.
func (s *Sink[T]) WaitSignals(t testing.TB, n int) []axon.Signal {
	t.Helper()
	s.WaitFor(t, "signals", func() bool { return len(s.Signals()) >= n })
	return s.Signals()
}

// Source is a threaded component with the four standard boxes: it sends its
// messages, then a ProducerFinished on signal, and finishes.
type Source[T any] struct {
	axon.Component
	In      axon.Inbox[axon.None]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[T]
	Signal  axon.Outbox[axon.Signal]
	msgs    []T
}

// NewSource returns a Source that will send msgs.
func NewSource[T any](msgs ...T) *Source[T] {
	s := &Source[T]{msgs: msgs}
	s.In.Init(&s.Component, "inbox", 0)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 0)
	s.Signal.Init(&s.Component, "signal", 0)
	return s
}

func (s *Source[T]) StdInbox() *axon.Inbox[axon.None]     { return &s.In }
func (s *Source[T]) StdControl() *axon.Inbox[axon.Signal] { return &s.Control }
func (s *Source[T]) StdOutbox() *axon.Outbox[T]           { return &s.Out }
func (s *Source[T]) StdSignal() *axon.Outbox[axon.Signal] { return &s.Signal }

// Main sends the messages and a ProducerFinished.
func (s *Source[T]) Main(ctx context.Context) error {
	for _, m := range s.msgs {
		if err := s.Out.Send(m); err != nil {
			return err
		}
	}
	return s.Signal.Send(&axon.ProducerFinished{Caller: s})
}
