package axon_test

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
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
	turns   atomic.Int64
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
	r.turns.Add(1)
	axon.Serve(t, &r.In, r.onIn)
	axon.ServeLast(t, &r.Control, r.onControl)
}

func (r *relay[T]) onIn(m T) { r.seen++; r.Out.Send(m) }

func (r *relay[T]) onControl(s axon.Signal) {
	r.Signal.Send(s)
	r.Stop()
}

// counting is a reactive component that counts its turns and the messages
// each of its inboxes was given. It has a second inbox to make chains of
// inbox passthroughs.
type counting struct {
	axon.Component
	In     axon.Inbox[int]
	Extra  axon.Inbox[int]
	Out    axon.Outbox[int]
	Extra2 axon.Outbox[int]
	turns  atomic.Int64
	got    atomic.Int64
	last   atomic.Int64
}

func newCounting() *counting {
	c := &counting{}
	c.In.Init(&c.Component, "inbox", 0)
	c.Extra.Init(&c.Component, "extra", 0)
	c.Out.Init(&c.Component, "outbox", 0)
	c.Extra2.Init(&c.Component, "extra2", 0)
	return c
}

func (c *counting) Dispatch(t *axon.Turn) {
	c.turns.Add(1)
	axon.Serve(t, &c.In, c.onIn)
	axon.Serve(t, &c.Extra, c.onIn)
}

func (c *counting) onIn(m int) { c.got.Add(1); c.last.Store(int64(m)) }

// quiet keeps expected panics out of the test output.
var quiet = axon.WithLogger(slog.New(slog.DiscardHandler))

// idle waits until the runtime has nothing queued or running.
func idle(t *testing.T, rt *axon.Runtime) {
	t.Helper()
	require.True(t, rt.WaitIdle(axontest.Timeout), "runtime did not go idle")
}

func newRT(t *testing.T, opts ...axon.Option) *axon.Runtime {
	t.Helper()
	return axontest.Runtime(t, opts...)
}

func waitDone(t *testing.T, p axon.Part) {
	t.Helper()
	axontest.WaitDone(t, p)
}

func mustLink[T any](t *testing.T, out *axon.Outbox[T], in *axon.Inbox[T]) *axon.Linkage {
	t.Helper()
	return axontest.Link(t, out, in)
}

// eventually waits, re-checking every millisecond, until cond holds. It is
// for conditions no channel reports (such as a counter another goroutine
// updates); it fails the test after the deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(axontest.Timeout)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

type (
	atomicBool = atomic.Bool
	atomicInt  = atomic.Int64
)

// holdWorker holds one of rt's workers in a turn until the function it
// returns is called (or the test ends), which lets it go and waits for the
// holder to finish: whatever runs meanwhile runs somewhere else.
func holdWorker(t *testing.T, rt *axon.Runtime) (release func()) {
	t.Helper()
	h := &holder{held: make(chan struct{}), release: make(chan struct{})}
	h.In.Init(&h.Component, "inbox", 0)
	require.NoError(t, rt.Activate(h))
	require.NoError(t, h.In.Deliver(1))
	select {
	case <-h.held:
	case <-time.After(axontest.Timeout):
		t.Fatal("no worker ran the holder's turn")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(h.release)
			h.Stop()
			waitDone(t, h)
		})
	}
	t.Cleanup(release)
	return release
}

// holder is a reactive component whose turn holds its worker until
// released.
type holder struct {
	axon.Component
	In      axon.Inbox[int]
	held    chan struct{}
	release chan struct{}
}

func (h *holder) Dispatch(t *axon.Turn) {
	axon.Serve(t, &h.In, func(int) {
		close(h.held)
		<-h.release
	})
}
