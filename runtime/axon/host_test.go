package axon_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
)

// poked is woken from outside through a flag, as a network adapter is by
// its poller: each turn that finds the flag set sends a message.
type poked struct {
	axon.Component
	In    axon.Inbox[int]
	Out   axon.Outbox[int]
	flag  atomic.Bool
	turns atomic.Int64
}

func newPoked() *poked {
	p := &poked{}
	p.In.Init(&p.Component, "inbox", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *poked) Dispatch(t *axon.Turn) { axon.Serve(t, &p.In, func(int) {}) }

func (p *poked) OnTurnEnd() {
	p.turns.Add(1)
	if p.flag.Swap(false) {
		p.Out.Send(1)
	}
}

// A Host runs the turn of a component it woke on the goroutine that calls
// Run, and the turns that turn wakes after it, while the runtime's only
// worker is busy elsewhere.
func TestHostRunsTurnsWhereItIsCalled(t *testing.T) {
	rt := newRT(t, axon.WithWorkers(1))
	src, mid, dst := newPoked(), newRelay[int](), newCounting()
	mustLink(t, &src.Out, &mid.In)
	mustLink(t, &mid.Out, &dst.In)
	require.NoError(t, rt.Activate(src, mid, dst))
	idle(t, rt)
	release := holdWorker(t, rt)

	h := axon.NewHost()
	src.flag.Store(true)
	h.Wake(&src.Component)
	h.Run()
	// Run has returned: the message went through all three, here.
	assert.EqualValues(t, 1, dst.got.Load(), "the chain ran within Run")
	assert.Equal(t, 1, mid.seen)

	// Nothing woken: Run does nothing.
	turns := src.turns.Load()
	h.Run()
	assert.Equal(t, turns, src.turns.Load())
	release()
	idle(t, rt)
}

// A chain of turns that never ends is cut: Run returns, and the runtime's
// workers carry on with it.
func TestHostRunIsBounded(t *testing.T) {
	rt := newRT(t, axon.WithWorkers(1))
	a, b := newPingPong(400), newPingPong(400)
	mustLink(t, &a.Out, &b.In)
	mustLink(t, &b.Out, &a.In)
	start := newPoked()
	mustLink(t, &start.Out, &a.In)
	require.NoError(t, rt.Activate(a, b, start))
	idle(t, rt)
	release := holdWorker(t, rt)

	h := axon.NewHost()
	start.flag.Store(true)
	h.Wake(&start.Component)
	h.Run()
	bounced := a.got.Load() + b.got.Load()
	assert.Positive(t, bounced, "the chain started on the host")
	assert.Less(t, bounced, int64(400), "Run stopped before the chain's end")

	release()
	eventually(t, "the workers finish the chain", func() bool { return a.got.Load()+b.got.Load() == 400 })
}

// A component woken while its turn runs on a host (its socket's event,
// seen by another loop) has its next turn there too, not in the run queue:
// a new client's first request waited for a worker that way, when every
// worker was busy. Woken again during that turn, it goes to its runtime.
func TestHostRunsAgainAComponentWokenWhileItRan(t *testing.T) {
	rt := newRT(t, axon.WithWorkers(1))
	src, dst := newWokenMidTurn(), newCounting()
	mustLink(t, &src.Out, &dst.In)
	require.NoError(t, rt.Activate(src, dst))
	idle(t, rt)
	release := holdWorker(t, rt)

	h, other := axon.NewHost(), axon.NewHost()
	src.during = func() { // the other loop sees the socket's event now
		src.flag.Store(true)
		other.Wake(&src.Component)
		other.Run() // it runs nothing: src's turn is running here
	}
	before := src.turns.Load() // its activation's
	h.Wake(&src.Component)
	h.Run()
	assert.Equal(t, before+2, src.turns.Load(), "a second turn, within Run")
	assert.EqualValues(t, 1, dst.got.Load(), "what the event brought went through, with no worker")

	// Woken again during that second turn: the runtime's workers take it.
	src.during = func() {
		src.flag.Store(true)
		src.during = func() { src.Notify() }
		other.Wake(&src.Component)
		other.Run()
	}
	h.Wake(&src.Component)
	h.Run()
	assert.Equal(t, before+4, src.turns.Load(), "two more turns on the host")
	release()
	eventually(t, "the third turn, on the worker", func() bool { return src.turns.Load() == before+5 })
	idle(t, rt)
}

// wokenMidTurn is a poked component that runs during, if set, at the end
// of its turn, after it looked at its flag.
type wokenMidTurn struct {
	poked
	during func()
}

func newWokenMidTurn() *wokenMidTurn {
	p := &wokenMidTurn{}
	p.In.Init(&p.Component, "inbox", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *wokenMidTurn) OnTurnEnd() {
	p.poked.OnTurnEnd()
	if f := p.during; f != nil {
		p.during = nil
		f()
	}
}

// pingPong passes a count back and forth: it sends m+1 on for each m it
// gets below last.
type pingPong struct {
	axon.Component
	In   axon.Inbox[int]
	Out  axon.Outbox[int]
	last int
	got  atomic.Int64
}

func newPingPong(last int) *pingPong {
	p := &pingPong{last: last}
	p.In.Init(&p.Component, "inbox", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *pingPong) Dispatch(t *axon.Turn) {
	axon.Serve(t, &p.In, func(m int) {
		p.got.Add(1)
		if m < p.last {
			p.Out.Send(m + 1)
		}
	})
}

// Components of several runtimes may be woken through one Host; a threaded
// component is woken as Notify wakes it; a component not yet activated is
// not woken (its activation gives it its first turn).
func TestHostWakesAnyComponent(t *testing.T) {
	rt1, rt2 := newRT(t, axon.WithWorkers(1)), newRT(t, axon.WithWorkers(1))
	p1, p2 := newPoked(), newPoked()
	c1, c2 := newCounting(), newCounting()
	mustLink(t, &p1.Out, &c1.In)
	mustLink(t, &p2.Out, &c2.In)
	require.NoError(t, rt1.Activate(p1, c1))
	require.NoError(t, rt2.Activate(p2, c2))
	idle(t, rt1)
	idle(t, rt2)

	h := axon.NewHost()
	p1.flag.Store(true)
	p2.flag.Store(true)
	h.Wake(&p1.Component)
	h.Wake(&p2.Component)
	h.Run()
	assert.EqualValues(t, 1, c1.got.Load())
	assert.EqualValues(t, 1, c2.got.Load())

	later := newPoked()
	h.Wake(&later.Component) // not activated: nothing happens
	h.Run()
	assert.Zero(t, later.turns.Load(), "a component not yet activated ran")
	require.NoError(t, rt1.Activate(later))
	eventually(t, "its first turn, from the activation", func() bool { return later.turns.Load() == 1 })

	th := &waiter{}
	require.NoError(t, rt1.Activate(th))
	h.Wake(&th.Component) // its Wait returns; it runs no turn here
	h.Run()
	eventually(t, "the threaded component woken", func() bool { return th.woken.Load() > 0 })
	th.Stop()
	waitDone(t, th)
}

// waiter is a threaded component that counts its wake-ups.
type waiter struct {
	axon.Component
	woken atomic.Int64
}

func (w *waiter) Main(ctx context.Context) error {
	for w.Wait(ctx) == nil {
		w.woken.Add(1)
	}
	return nil
}
