package axon_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// asker hands each number it gets to a blocking work that answers with the
// number after a wait the test controls, and sends the answers on.
type asker struct {
	axon.Component
	In      axon.Inbox[int]
	Out     axon.Outbox[int]
	gates   map[int]chan struct{} // the work for n waits on gates[n] when set
	started atomic.Int64
	ended   atomic.Int64
	began   chan int // told each number whose work starts
}

func newAsker(limit int) *asker {
	a := &asker{gates: map[int]chan struct{}{}, began: make(chan int, 16)}
	a.In.Init(&a.Component, "inbox", 4)
	a.Out.Init(&a.Component, "outbox", 0)
	if limit > 0 {
		a.SetGoLimit(limit)
	}
	return a
}

func (a *asker) Dispatch(t *axon.Turn) { axon.Serve(t, &a.In, a.onIn) }

func (a *asker) onIn(n int) {
	gate := a.gates[n]
	axon.Go(a, func(ctx context.Context) (int, error) {
		a.started.Add(1)
		a.began <- n
		defer a.ended.Add(1)
		if n < 0 {
			panic("a negative number")
		}
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		return n * 10, nil
	}, a.answer)
}

func (a *asker) answer(v int, err error) {
	if err != nil {
		a.Fail(err)
		return
	}
	a.Out.Send(v)
}

// Results come back in the order the works were started, even when a later
// one finishes first.
func TestGoDeliversInStartOrder(t *testing.T) {
	rt := axontest.Runtime(t)
	a := newAsker(3)
	first := make(chan struct{})
	a.gates[1] = first
	out := axontest.NewSink[int]()
	axontest.Link(t, &a.Out, &out.In)
	require.NoError(t, rt.Activate(a, out))
	for _, n := range []int{1, 2, 3} {
		require.NoError(t, a.In.Deliver(n))
	}
	waitBegun(t, a, 3)
	out.WaitFor(t, "works 2 and 3 to end", func() bool { return a.ended.Load() == 2 })
	assert.Empty(t, out.Messages(), "2 and 3 wait for 1, started before them")
	close(first)
	assert.Equal(t, []int{10, 20, 30}, out.WaitCount(t, 3))
}

// With the default limit of one, a component whose work is in flight takes
// no input: the messages wait in its inbox, which fills, and the sender is
// told there is no room.
func TestGoHoldsInputWhileBusy(t *testing.T) {
	rt := axontest.Runtime(t)
	a := newAsker(0)
	gate := make(chan struct{})
	a.gates[1] = gate
	out := axontest.NewSink[int]()
	axontest.Link(t, &a.Out, &out.In)
	require.NoError(t, rt.Activate(a, out))
	require.NoError(t, a.In.Deliver(1))
	waitBegun(t, a, 1)
	for n := 2; n <= 5; n++ {
		require.NoError(t, a.In.Deliver(n), "the inbox holds 4")
	}
	assert.ErrorIs(t, a.In.Deliver(6), axon.ErrNoSpace, "input waits while the work is in flight")
	assert.Equal(t, int64(1), a.started.Load(), "one work at a time")
	close(gate)
	assert.Equal(t, []int{10, 20, 30, 40, 50}, out.WaitCount(t, 5))
}

// Stopping a component ends its works' context, and it finishes only once
// they have returned; their results are dropped.
func TestGoStopCancelsAndWaits(t *testing.T) {
	rt := axontest.Runtime(t)
	a := newAsker(0)
	a.gates[1] = make(chan struct{}) // never opened: only the stop ends it
	require.NoError(t, rt.Activate(a))
	require.NoError(t, a.In.Deliver(1))
	waitBegun(t, a, 1)
	a.Stop()
	axontest.WaitDone(t, a)
	assert.Equal(t, int64(1), a.ended.Load(), "finished after its work returned")
	assert.NoError(t, a.Err(), "the cancelled work's error was dropped, not handed to done")
}

// A panic in a work fails its component, not the process.
func TestGoPanicFailsTheComponent(t *testing.T) {
	rt := axontest.Runtime(t)
	a := newAsker(0)
	require.NoError(t, rt.Activate(a))
	require.NoError(t, a.In.Deliver(-1))
	axontest.WaitDone(t, a)
	var pe *axon.PanicError
	require.ErrorAs(t, a.Err(), &pe)
	assert.Equal(t, "a negative number", pe.Value)
}

// The runtime's limit bounds the works running at once across components.
func TestGoRuntimeLimit(t *testing.T) {
	rt := axontest.Runtime(t, axon.WithGoLimit(1))
	gate := make(chan struct{})
	a, b := newAsker(0), newAsker(0)
	a.gates[1], b.gates[1] = gate, gate
	outA, outB := axontest.NewSink[int](), axontest.NewSink[int]()
	axontest.Link(t, &a.Out, &outA.In)
	axontest.Link(t, &b.Out, &outB.In)
	require.NoError(t, rt.Activate(a, b, outA, outB))
	require.NoError(t, a.In.Deliver(1))
	require.NoError(t, b.In.Deliver(1))
	select {
	case <-a.began:
	case <-b.began:
	case <-time.After(axontest.Timeout):
		t.Fatal("no work started")
	}
	select {
	case <-a.began:
		t.Fatal("a second work ran past the runtime's limit")
	case <-b.began:
		t.Fatal("a second work ran past the runtime's limit")
	default:
	}
	close(gate)
	outA.WaitCount(t, 1)
	outB.WaitCount(t, 1)
	assert.Equal(t, int64(2), a.started.Load()+b.started.Load())
}

// A work's error goes to done, which decides what to do with it.
func TestGoErrorGoesToDone(t *testing.T) {
	rt := axontest.Runtime(t)
	c := &erring{}
	c.In.Init(&c.Component, "inbox", 0)
	require.NoError(t, rt.Activate(c))
	require.NoError(t, c.In.Deliver(1))
	axontest.WaitDone(t, c)
	assert.ErrorIs(t, c.Err(), errStore)
}

var errStore = errors.New("the store is down")

type erring struct {
	axon.Component
	In axon.Inbox[int]
}

func (e *erring) Dispatch(t *axon.Turn) {
	axon.Serve(t, &e.In, func(int) {
		axon.Go(e, func(context.Context) (int, error) { return 0, errStore }, func(_ int, err error) { e.Fail(err) })
	})
}

// A threaded component may not use Go: it blocks in Main instead.
func TestGoRefusesThreaded(t *testing.T) {
	th := &threadedNoop{}
	assert.PanicsWithValue(t, "axon.Go: *axon_test.threadedNoop is threaded: block in its Main instead", func() {
		axon.Go(th, func(context.Context) (int, error) { return 0, nil }, func(int, error) {})
	})
}

type threadedNoop struct{ axon.Component }

func (*threadedNoop) Main(ctx context.Context) error { <-ctx.Done(); return nil }

// waitBegun waits until n works of a have begun.
func waitBegun(t *testing.T, a *asker, n int) {
	t.Helper()
	for range n {
		select {
		case <-a.began:
		case <-time.After(axontest.Timeout):
			t.Fatalf("fewer than %d works began", n)
		}
	}
}

// closer counts its Close calls.
type closer struct{ closed atomic.Int32 }

func (c *closer) Close() error { c.closed.Add(1); return nil }

// opener starts one work that opens something (a connection, a file) and
// returns it once told to; done keeps it.
type opener struct {
	axon.Component
	In    axon.Inbox[int]
	gate  chan struct{}
	began chan struct{}
	res   *closer
	kept  atomic.Pointer[closer]
	err   error
}

func (o *opener) Dispatch(t *axon.Turn) { axon.Serve(t, &o.In, o.onIn) }

func (o *opener) onIn(int) {
	axon.Go(o, func(ctx context.Context) (*closer, error) {
		close(o.began)
		<-o.gate // ignores ctx, as a dial that has already connected does
		return o.res, o.err
	}, func(c *closer, err error) { o.kept.Store(c) })
}

// A result that comes after its component was asked to stop is never handed
// to done; if it is an io.Closer, the runtime closes it, so nothing leaks.
// A nil one, or one that came with an error, is left alone.
func TestGoClosesADroppedResult(t *testing.T) {
	for _, tt := range []struct {
		name      string
		res       *closer
		err       error
		wantClose int32
	}{
		{"a result is closed", &closer{}, nil, 1},
		{"a nil result is not", nil, nil, 0},
		{"a result with an error is not", &closer{}, errors.New("half open"), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := axontest.Runtime(t)
			o := &opener{gate: make(chan struct{}), began: make(chan struct{}), res: tt.res, err: tt.err}
			o.In.Init(&o.Component, "inbox", 0)
			require.NoError(t, rt.Activate(o))
			require.NoError(t, o.In.Deliver(1))
			select {
			case <-o.began:
			case <-time.After(5 * time.Second):
				t.Fatal("the work never started")
			}
			o.Stop()
			close(o.gate) // the work returns only now, after the stop
			axontest.WaitDone(t, o)
			assert.Nil(t, o.kept.Load(), "done never sees a result that came after the stop")
			if tt.res != nil {
				assert.Equal(t, tt.wantClose, tt.res.closed.Load())
			}
		})
	}
}
