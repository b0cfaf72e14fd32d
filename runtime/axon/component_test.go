package axon_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conformance with Kamaelia's Tests/Python/Axon/test_Component.py and
// test_Microprocess.py, where the behaviour applies to typed Go.

// Mirrors test_Component.py :: SmokeTest_NoArguments: all boxes start empty,
// there are no children.
func TestComponentStartsEmpty(t *testing.T) {
	r := newRelay[int]()
	for _, b := range []axon.BoxRef{&r.In, &r.Control, &r.Out, &r.Signal} {
		assert.Equal(t, 0, b.Len(), b.Name())
		assert.Same(t, &r.Component, b.Owner())
		assert.Equal(t, axon.DefaultCapacity, b.Cap())
	}
	assert.Equal(t, axon.In, r.In.Dir())
	assert.Equal(t, axon.Out, r.Out.Dir())
	assert.Empty(t, r.Children())
	assert.False(t, r.Finished())
}

// Mirrors test_Component.py :: __str__relaxed and test_Microprocess.py ::
// Init: names contain the type, ids are distinct and non-zero.
func TestComponentNamesAndIDs(t *testing.T) {
	rt := newRT(t)
	a, b := newRelay[int](), newRelay[int]()
	require.NoError(t, rt.Activate(a, b))
	assert.NotZero(t, a.ID())
	assert.NotEqual(t, a.ID(), b.ID())
	assert.Contains(t, a.Name(), "relay")
	assert.True(t, strings.HasSuffix(a.Name(), fmt.Sprintf("_%d", a.ID())), a.Name())
}

// ID and Name may be read from any goroutine while the component is being
// activated, as the live picture reads the far end of a link that a
// starting server has just made (under -race, a plain field failed here).
func TestIDMayBeReadWhileTheComponentIsActivated(t *testing.T) {
	rt := newRT(t)
	c := newCounting()
	read := make(chan uint64)
	go func() {
		for {
			if id := c.ID(); id != 0 {
				_ = c.Name()
				read <- id
				return
			}
			runtime.Gosched()
		}
	}()
	require.NoError(t, rt.Activate(c))
	select {
	case id := <-read:
		assert.Equal(t, c.ID(), id)
	case <-time.After(axontest.Timeout):
		t.Fatal("the reader never saw the component's ID")
	}
}

// Mirrors test_Component.py :: dataReady and recv: Len counts what is
// stored, TryRecv returns FIFO order and reports an empty box (Kamaelia's
// IndexError), on any inbox.
func TestInboxLenAndRecvOrder(t *testing.T) {
	c := newCounting() // never activated: messages stay in its boxes
	for _, in := range []*axon.Inbox[int]{&c.In, &c.Extra} {
		_, ok := in.TryRecv()
		assert.False(t, ok, "empty box")
		assert.Equal(t, 0, in.Len())
		require.NoError(t, in.Deliver(1))
		assert.Equal(t, 1, in.Len())
		require.NoError(t, in.Deliver(2))
		m, ok := in.TryRecv()
		require.True(t, ok)
		assert.Equal(t, 1, m)
		assert.Equal(t, 1, in.Len(), "still one after one recv of two")
		m, _ = in.TryRecv()
		assert.Equal(t, 2, m)
		assert.Equal(t, 0, in.Len())
	}
}

// Mirrors test_Component.py :: send: what is sent on an unlinked outbox is
// kept there, in order (1000 sends), and moves on when it is linked
// (test_Postoffice's "messages already queued are moved on link"). Unlike
// Kamaelia, the link moves only what the inbox has room for: the rest
// stays in the outbox, ahead of anything sent later, and follows as the
// inbox is read.
func TestUnlinkedOutboxKeepsMessagesUntilLinked(t *testing.T) {
	src := newCounting()
	dst := newCounting()
	src.Out.SetCap(1000)
	for i := range 1000 {
		require.True(t, src.Out.Offer(i))
	}
	assert.Equal(t, 1000, src.Out.Len())
	require.False(t, src.Out.Offer(1000), "the unlinked outbox is bounded")

	mustLink(t, &src.Out, &dst.In)
	room := dst.In.Cap()
	assert.Equal(t, room, dst.In.Len(), "the inbox is filled to its capacity, no further")
	assert.Equal(t, 1000-room, src.Out.Len(), "the rest stays in the outbox")
	deadline := time.Now().Add(axontest.Timeout)
	for i := 0; i < 1000; {
		m, ok := dst.In.TryRecv()
		if !ok {
			require.True(t, time.Now().Before(deadline), "message %d never followed", i)
			runtime.Gosched()
			continue
		}
		require.Equal(t, i, m)
		i++
	}
	assert.Equal(t, 0, src.Out.Len())
}

// Mirrors test_Component.py :: addChildren, removeChild, childComponents:
// each child is listed once, and leaves the list when it finishes.
func TestChildrenListedUntilTheyFinish(t *testing.T) {
	rt := newRT(t)
	parent := newWatcher()
	require.NoError(t, rt.Activate(parent))
	kids := []*relay[int]{newRelay[int](), newRelay[int](), newRelay[int]()}
	for _, k := range kids {
		require.NoError(t, parent.Start(k))
	}
	got := parent.Children()
	require.Len(t, got, 3)
	for _, k := range kids {
		assert.Contains(t, got, &k.Component)
		assert.Same(t, &parent.Component, k.Parent())
	}
	kids[1].Stop()
	waitDone(t, kids[1])
	eventually(t, "child removed", func() bool { return len(parent.Children()) == 2 })
	assert.NotContains(t, parent.Children(), &kids[1].Component)
	parent.Stop()
	waitDone(t, parent)
	for _, k := range kids {
		assert.True(t, k.Finished(), "stopping a parent stops its children")
	}
}

// Children finishing in any order leave exactly the others listed: each
// leaves in constant time (a server's connections), and the list stays
// right however it is shuffled.
func TestManyChildrenFinishInAnyOrder(t *testing.T) {
	rt := newRT(t)
	parent := newCounting() // not a watcher: nothing waits for its OnChildDone
	require.NoError(t, rt.Activate(parent))
	const n = 300
	kids := make([]*relay[int], n)
	for i := range kids {
		kids[i] = newRelay[int]()
		require.NoError(t, parent.Start(kids[i]))
	}
	live := map[*axon.Component]bool{}
	for _, k := range kids {
		live[&k.Component] = true
	}
	// Every third, then the last ones first, then the rest in order.
	var order []int
	for i := 0; i < n; i += 3 {
		order = append(order, i)
	}
	for i := n - 1; i >= n/2; i-- {
		if i%3 != 0 {
			order = append(order, i)
		}
	}
	for i := 0; i < n/2; i++ {
		if i%3 != 0 {
			order = append(order, i)
		}
	}
	require.Len(t, order, n)
	for step, i := range order {
		kids[i].Stop()
		waitDone(t, kids[i])
		delete(live, &kids[i].Component)
		if step%37 == 0 || len(live) < 3 {
			eventually(t, "the finished children gone", func() bool { return len(parent.Children()) == len(live) })
			for _, c := range parent.Children() {
				require.True(t, live[c], "a finished child is still listed")
			}
		}
	}
	eventually(t, "no child left", func() bool { return len(parent.Children()) == 0 })
	parent.Stop()
	waitDone(t, parent)
}

// watcher is a reactive component that records its children's exits.
type watcher struct {
	axon.Component
	In     axon.Inbox[int]
	exits  chan error
	starts int
	stops  int
}

func newWatcher() *watcher {
	w := &watcher{exits: make(chan error, 16)}
	w.In.Init(&w.Component, "inbox", 0)
	return w
}

func (w *watcher) Dispatch(t *axon.Turn) { axon.Serve(t, &w.In, func(int) {}) }
func (w *watcher) OnStart()              { w.starts++ }
func (w *watcher) OnStop()               { w.stops++ }
func (w *watcher) OnChildDone(_ *axon.Component, err error) {
	w.exits <- err
}

// A parent finishes only after its children; Done closes after both.
// (Kamaelia's parents are woken by child exits but never wait: L4.)
func TestParentWaitsForChildren(t *testing.T) {
	rt := newRT(t)
	parent := newWatcher()
	require.NoError(t, rt.Activate(parent))
	child := &slowStopper{release: make(chan struct{}), stopping: make(chan struct{})}
	child.In.Init(&child.Component, "inbox", 0)
	require.NoError(t, parent.Start(child))
	idle(t, rt) // the parent has had its first turn
	parent.Stop()
	// The child's Main ignores its context until released: the parent must
	// still be running.
	select {
	case <-parent.Done():
		t.Fatal("parent finished before its child")
	case <-child.stopping:
	}
	assert.False(t, parent.Finished())
	close(child.release)
	waitDone(t, parent)
	assert.True(t, child.Finished())
	assert.Equal(t, 1, parent.starts)
	assert.Equal(t, 1, parent.stops, "OnStop runs once")
}

// slowStopper is a threaded component that keeps running after it is asked
// to stop, until released.
type slowStopper struct {
	axon.Component
	In       axon.Inbox[int]
	release  chan struct{}
	stopping chan struct{}
}

func (s *slowStopper) Main(ctx context.Context) error {
	<-ctx.Done()
	close(s.stopping)
	<-s.release
	return nil
}

// Mirrors test_Component.py :: linkagesRemovedOnComponentShutdown: the links
// a component owns die with it; links others made survive; a message now
// lands in the formerly forwarding inbox itself.
func TestOwnedLinksRemovedWhenOwnerFinishes(t *testing.T) {
	rt := newRT(t)
	a, b, c, d := newCounting(), newCounting(), newCounting(), newCounting()
	// c owns: a.outbox -> b.inbox, c.outbox => a.outbox... in typed Go:
	// c owns c.In -> a.In (passthrough 1) and a.Out -> b.In.
	l1, err := axon.WireIn(&c.In, &a.In).Link()
	require.NoError(t, err)
	l2, err := axon.Link(&a.Out, &b.In)
	require.NoError(t, err)
	// d owns d.Out -> c.In.
	l3, err := axon.Link(&d.Out, &c.In)
	require.NoError(t, err)
	c.Own(l1)
	c.Own(l2)
	d.Own(l3)
	require.NoError(t, rt.Activate(a, b, c, d))
	// The test sends on d's outbox as d would, from outside d's turns:
	// only once d's first turn is over (an outbox is its owner's).
	idle(t, rt)

	require.True(t, d.Out.Offer(7))
	eventually(t, "a got 7 through c's passthrough", func() bool { return a.got.Load() == 1 })

	c.Stop()
	waitDone(t, c)
	// d's link survives; c's passthrough does not, so the message lands in
	// c's own inbox, where c, finished, will never take it: it is dropped,
	// and counted.
	require.True(t, d.Out.Offer(8))
	eventually(t, "8 dropped at c.In", func() bool { return rt.Dropped() == 1 })
	assert.Equal(t, 0, c.In.Len())
	assert.Equal(t, int64(1), a.got.Load())
	// a.Out -> b.In is gone too: a's sends stay in a.Out.
	require.True(t, a.Out.Offer(9))
	assert.Equal(t, 1, a.Out.Len())
	assert.Equal(t, 0, b.In.Len())
}

// Mirrors test_Microprocess.py :: Stop: a stopped component is stopped for
// good; stopping twice is harmless; messages do not revive it.
func TestStopIsFinal(t *testing.T) {
	rt := newRT(t)
	c := newCounting()
	require.NoError(t, rt.Activate(c))
	assert.False(t, c.Stopping())
	c.Stop()
	c.Stop()
	waitDone(t, c)
	assert.True(t, c.Stopping())
	assert.True(t, c.Finished())
	turns := c.turns.Load()
	require.NoError(t, c.In.Deliver(1))
	idle(t, rt)
	assert.Equal(t, turns, c.turns.Load(), "a finished component never runs again")
	assert.Equal(t, int64(0), c.got.Load())
}

// Activating twice, or something that is no component, is an error.
func TestActivateErrors(t *testing.T) {
	rt := newRT(t)
	c := newCounting()
	require.NoError(t, rt.Activate(c))
	err := rt.Activate(c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "activated twice")

	err = rt.Activate(&notAComponent{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run go generate")
	require.Error(t, rt.Activate(nil))

	orphan := newCounting()
	require.Error(t, orphan.Start(newCounting()), "Start before activation")
}

type notAComponent struct{ axon.Component }

// A box used before its constructor ran reports it rather than panicking.
func TestUninitialisedBoxesReportIt(t *testing.T) {
	var in axon.Inbox[int]
	var out axon.Outbox[int]
	require.ErrorIs(t, in.Deliver(1), axon.ErrNotInitialized)
	require.ErrorIs(t, out.Send(1), axon.ErrNotInitialized)
	require.False(t, out.Offer(1))
	_, err := axon.Link(&out, &in)
	require.ErrorIs(t, err, axon.ErrNotInitialized)
}

// B7: a panic inside a component stops that component only; its parent is
// told with a *PanicError; the runtime and the other components live on.
func TestPanicStopsOnlyThatComponent(t *testing.T) {
	rt := newRT(t, quiet)
	parent := newWatcher()
	require.NoError(t, rt.Activate(parent))
	bomb := &panicker{}
	bomb.In.Init(&bomb.Component, "inbox", 0)
	bystander := newCounting()
	require.NoError(t, parent.Start(bomb, bystander))

	require.NoError(t, bomb.In.Deliver(1))
	var err error
	select {
	case err = <-parent.exits:
	case <-parent.Done():
		t.Fatal("parent finished")
	}
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.NotEmpty(t, pe.Stack)
	assert.ErrorAs(t, bomb.Err(), &pe)
	assert.True(t, bomb.Finished())

	require.NoError(t, bystander.In.Deliver(2))
	eventually(t, "bystander still served", func() bool { return bystander.got.Load() == 1 })
	assert.False(t, parent.Finished())
}

type panicker struct {
	axon.Component
	In axon.Inbox[int]
}

func (p *panicker) Dispatch(t *axon.Turn) {
	axon.Serve(t, &p.In, func(int) { panic("boom") })
}

// B7 for threaded components: a panic in Main is reported the same way.
func TestThreadedPanicIsContained(t *testing.T) {
	rt := newRT(t, quiet)
	parent := newWatcher()
	require.NoError(t, rt.Activate(parent))
	require.NoError(t, parent.Start(&threadedPanicker{}))
	err := <-parent.exits
	var pe *axon.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "threaded boom", pe.Value)
}

type threadedPanicker struct{ axon.Component }

func (p *threadedPanicker) Main(context.Context) error {
	panic("threaded boom")
}

// Fail records the first error and stops the component.
func TestFailRecordsTheFirstError(t *testing.T) {
	rt := newRT(t)
	c := newCounting()
	require.NoError(t, rt.Activate(c))
	first := errors.New("first")
	c.Fail(first)
	c.Fail(errors.New("second"))
	waitDone(t, c)
	require.ErrorIs(t, c.Err(), first)
	err := rt.Wait(t.Context())
	require.ErrorIs(t, err, first, "top-level failures are returned by Wait")
}

// A link its owner unlinks early leaves the owner's list: a long-lived
// container making links per connection does not accumulate them.
func TestUnlinkedOwnedLinksAreForgotten(t *testing.T) {
	rt := newRT(t)
	owner := newCounting()
	require.NoError(t, rt.Activate(owner))
	a, b := newCounting(), newCounting()
	for range 1000 {
		l := mustLink(t, &a.Out, &b.In)
		owner.Own(l)
		l.Unlink()
	}
	assert.Zero(t, axon.OwnedLinks(owner.Base()))
	keep := mustLink(t, &a.Out, &b.In)
	owner.Own(keep)
	assert.Equal(t, 1, axon.OwnedLinks(owner.Base()))
	owner.Stop()
	waitDone(t, owner)
	require.True(t, a.Out.Offer(1))
	assert.Equal(t, 0, b.In.Len(), "removed when the owner finished")
}

// OnStop runs after a panic too: it is where a component releases what it
// holds.
func TestOnStopRunsAfterAPanic(t *testing.T) {
	rt := newRT(t, quiet)
	c := &cleaner{released: make(chan struct{})}
	c.In.Init(&c.Component, "inbox", 0)
	require.NoError(t, rt.Activate(c))
	require.NoError(t, c.In.Deliver(1))
	select {
	case <-c.released:
	case <-time.After(axontest.Timeout):
		t.Fatal("OnStop did not run after the panic")
	}
	waitDone(t, c)
	var pe *axon.PanicError
	require.ErrorAs(t, c.Err(), &pe)
}

type cleaner struct {
	axon.Component
	In       axon.Inbox[int]
	released chan struct{}
}

func (c *cleaner) Dispatch(t *axon.Turn) { axon.Serve(t, &c.In, func(int) { panic("bug") }) }
func (c *cleaner) OnStop()               { close(c.released) }
