package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kamgen/kamgen/runtime/internal/meter"
)

// Part is anything that embeds Component: every component is one.
type Part interface {
	// Base returns the embedded Component.
	Base() *Component
}

// Threaded is a component that owns a goroutine, for blocking work (console,
// files, name resolution). Main runs once; the component is finished when
// Main returns. ctx ends when the component is asked to stop.
type Threaded interface {
	Part
	Main(ctx context.Context) error
}

// Lifecycle states.
const (
	created uint32 = iota
	active
	stopping
	done
)

// Scheduling states of a reactive component.
const (
	idle uint32 = iota
	queued
	running
	runningWoken // woken while it ran: run it again
)

// Component is the part every component embeds: its identity, its place in
// the tree of components, its lifecycle and its scheduling state. The zero
// value is ready for use; a Component must not be copied.
type Component struct {
	self   unsafe.Pointer // the component's outermost struct, as Bind saw it
	hooks  *hookTab       // nil for a threaded component
	rt     *Runtime
	parent *Component
	id     atomic.Uint64 // read from any goroutine: a link's far end may be activated meanwhile
	th     *threadState  // nil for a reactive component

	sched   atomic.Uint32
	life    atomic.Uint32
	on      atomic.Pointer[worker] // the worker running the component's turn
	flags   atomic.Uint32          // flag* bits
	childAt int32                  // the component's index in its parent's children; guarded by the parent's mu
	mu      sync.Mutex             // guards ext

	pending []flusher     // outboxes holding messages for lack of room; used only from the component's own turns
	ext     *componentExt // allocated the first time one of its fields is needed; guarded by mu
}

// Bits of Component.flags. The first three and flagWorked are set from
// other goroutines; the others only from the component's own turns. They
// share one word to keep the component small (a connection costs two).
const (
	flagStopReq    uint32 = 1 << iota // Stop was called
	flagTimerFired                    // a WakeAfter timer fired
	flagHasExits                      // children finished: tell OnChildDone
	flagStarted                       // OnStart has run
	flagStopHooked                    // OnStop has run
	flagBusy                          // as many works (Go) in flight as its limit: inboxes wait
	flagWorked                        // it has a record of works (Go)
	flagWorks                         // works started and not yet handed to done: a turn looks for their results
	flagMetered                       // its runtime's metrics are on: ext exists and holds its counters (set at activation, before anything reads ext without its lock)
)

func (c *Component) has(flag uint32) bool { return c.flags.Load()&flag != 0 }

// take clears flag and reports whether it was set.
func (c *Component) take(flag uint32) bool { return c.flags.And(^flag)&flag != 0 }

// stopping reports whether Stop was called.
func (c *Component) stopping() bool { return c.has(flagStopReq) }

// componentExt holds what most components never need, so that an idle
// component stays small. Guarded by Component.mu.
type componentExt struct {
	children   []*Component
	doneCh     chan struct{}
	doneClosed bool // finish has closed (or would have closed) doneCh
	err        error
	exited     []childExit
	links      []*Linkage
	timer      *time.Timer
	ctx        context.Context
	cancel     context.CancelFunc
	log        *slog.Logger
	work       *goState     // works started with Go
	feeds      []attachable // the feeds of its inboxes (subscriptions)
	feedsOn    bool         // the feeds are attached: the component is active
	meter      *meter.Comp  // the counters of its boxes, when its runtime's metrics are on; set before flagMetered, never changed
}

// more returns c's extension, creating it. c.mu is held.
func (c *Component) more() *componentExt {
	if c.ext == nil {
		c.ext = &componentExt{}
	}
	return c.ext
}

type threadState struct {
	typ      string // the component's type, as %T prints it: its name
	notify   chan struct{}
	ctx      context.Context
	mainDone bool         // guarded by Component.mu
	boxes    boxFields    // where the component keeps its boxes, for dropPending
	ptr      reflect.Type // the component's pointer type, for Walk
}

type childExit struct {
	c   *Component
	err error
}

// Base returns c; it makes every struct that embeds Component a Part.
func (c *Component) Base() *Component { return c }

// ID returns the component's number, unique within its runtime; zero before
// it is activated. Like Name, it may be called from any goroutine.
func (c *Component) ID() uint64 { return c.id.Load() }

// Name returns "<type>_<id>", Kamaelia's naming.
func (c *Component) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name()
}

// name is Name, with c.mu held.
func (c *Component) name() string {
	typ := "*axon.Component"
	switch {
	case c.hooks != nil:
		typ = c.hooks.typ
	case c.th != nil:
		typ = c.th.typ
	}
	id := c.id.Load()
	if id == 0 {
		return typ // not activated yet
	}
	return fmt.Sprintf("%s_%d", typ, id)
}

// Runtime returns the runtime the component was activated in, or nil.
func (c *Component) Runtime() *Runtime { return c.rt }

// Parent returns the component that started c, or nil for a top-level one.
func (c *Component) Parent() *Component { return c.parent }

// Children returns the children that have not finished yet.
func (c *Component) Children() []*Component {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ext == nil {
		return nil
	}
	return slices.Clone(c.ext.children)
}

// Threaded reports whether the component owns a goroutine.
func (c *Component) Threaded() bool { return c.th != nil }

// Stopping reports whether the component has been asked to stop.
func (c *Component) Stopping() bool { return c.stopping() }

// Finished reports whether the component has finished.
func (c *Component) Finished() bool { return c.life.Load() == done }

// Done returns a channel closed when the component has finished: it was
// stopped or returned, and every child it started has finished too.
func (c *Component) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.more()
	if x.doneCh == nil {
		x.doneCh = make(chan struct{})
		if x.doneClosed {
			close(x.doneCh)
		}
	}
	return x.doneCh
}

// Err returns why the component failed: a panic (as *PanicError), the error
// Main returned, or the error given to Fail. It is nil for a component that
// finished normally or has not finished.
func (c *Component) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ext == nil {
		return nil
	}
	return c.ext.err
}

// Context returns a context that ends when the component is asked to stop.
func (c *Component) Context() context.Context {
	if c.th != nil {
		return c.th.ctx
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.more()
	if x.ctx == nil {
		x.ctx, x.cancel = context.WithCancel(context.Background())
		if c.stopping() {
			x.cancel()
		}
	}
	return x.ctx
}

// Log returns the runtime's logger with the component's name attached.
func (c *Component) Log() *slog.Logger {
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.more()
	if x.log == nil {
		l := slog.Default()
		if c.rt != nil {
			l = c.rt.log
		}
		x.log = l.With("component", c.name())
	}
	return x.log
}

// Own makes c the owner of l: the link is removed when c finishes
// (Kamaelia's rule that a component's links die with it). A link belongs
// to its source box's owner until then: a container that owns the links
// between its children takes them over.
func (c *Component) Own(l *Linkage) {
	if l == nil {
		return
	}
	switch prev := l.owner.Load(); {
	case prev == c:
		return
	case prev != nil:
		prev.disown(l)
	}
	c.mu.Lock()
	if c.life.Load() == done {
		c.mu.Unlock()
		l.flush()
		l.Unlink()
		return
	}
	x := c.more()
	l.owner.Store(c)
	l.ownerIdx = len(x.links)
	x.links = append(x.links, l)
	c.mu.Unlock()
}

// disown takes l off c's list of links to remove when it finishes.
func (c *Component) disown(l *Linkage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ext == nil || l.owner.Load() != c {
		return
	}
	links := c.ext.links
	last := len(links) - 1
	if i := l.ownerIdx; i <= last && links[i] == l {
		links[i] = links[last]
		links[i].ownerIdx = i
		links[last] = nil
		c.ext.links = links[:last]
	}
	l.owner.Store(nil)
}

// Start activates children of c in c's runtime. c finishes only after all
// of them have. A child started while c is stopping is stopped at once.
func (c *Component) Start(children ...Part) error { return c.start(nil, children) }

// start is Start, whose children's first turns are woken where w runs its
// next turns (activateOn), when w is not nil.
func (c *Component) start(w *worker, children []Part) error {
	if c.rt == nil {
		return fmt.Errorf("axon: %s: Start before the component was activated", c.Name())
	}
	var errs []error
	for _, p := range children {
		if err := c.rt.activateOn(p, c, w); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Stop asks the component to stop: a reactive one gets no more messages and
// its OnStop hook runs; a threaded one sees its context end. Its children are
// stopped too. The component has finished when Done is closed. Stop may be
// called from anywhere, any number of times; stopping one component never
// stops the runtime.
func (c *Component) Stop() {
	if c.flags.Or(flagStopReq)&flagStopReq != 0 {
		return // already asked
	}
	c.mu.Lock()
	var kids []*Component
	if c.ext != nil {
		kids = slices.Clone(c.ext.children)
	}
	if c.ext != nil && c.ext.cancel != nil {
		c.ext.cancel()
	}
	c.mu.Unlock()
	for _, k := range kids {
		k.Stop()
	}
	switch c.life.Load() {
	case created:
		return // activation will see flagStopReq
	case done:
		return
	}
	if c.th != nil {
		c.tryFinishThreaded()
	}
	c.wake()
}

// Fail stops the component and records err as the reason; its parent's
// OnChildDone receives it. The first error recorded wins.
func (c *Component) Fail(err error) {
	if err != nil {
		c.mu.Lock()
		if x := c.more(); x.err == nil {
			x.err = err
		}
		c.mu.Unlock()
	}
	c.Stop()
}

// WakeAfter asks for the component to be woken once after d: a reactive
// component's OnWake is called, a threaded component's Wait returns.
// Calling it again before it fires moves the wake-up.
func (c *Component) WakeAfter(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.life.Load() == done {
		return
	}
	x := c.more()
	if x.timer == nil {
		x.timer = time.AfterFunc(d, func() {
			c.flags.Or(flagTimerFired)
			c.wake()
		})
		return
	}
	x.timer.Reset(d)
}

// Wait blocks a threaded component until something may have changed for it:
// a message arrived in one of its inboxes, a destination it waits on has
// room, or a WakeAfter timer fired. It returns ctx's error when ctx ends.
// A reactive component must not call it.
//
// A threaded component has one wake-up slot, shared by Wait, Recv and a
// blocking Send: only its Main goroutine may block on its own boxes. Another
// goroutine that must hand it data uses Inbox.Put, which waits on a channel
// of its own.
func (c *Component) Wait(ctx context.Context) error {
	if c.th == nil {
		return ErrNotThreaded
	}
	select {
	case <-c.th.notify:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Notify wakes the component from any goroutine, without a message: a
// reactive component gets a turn (and its OnTurnEnd hook runs), a threaded
// one's Wait returns. Notifications that come before the component has run
// are merged into one. It is how an event source outside the runtime (the
// Selector, say) tells a component to look at state it shares with it.
func (c *Component) Notify() { c.wake() }

// TimerFired reports, and clears, whether a WakeAfter timer fired since the
// last call; a threaded component uses it after Wait returns.
func (c *Component) TimerFired() bool { return c.take(flagTimerFired) }

// wakeFrom wakes c because of something from did. When from is a reactive
// component in a turn, c goes to that worker's next slot: it runs next on
// the same worker, without touching the run queue's lock, while what it
// needs is still in the CPU's caches.
func (c *Component) wakeFrom(from *Component) {
	var w *worker
	if from != nil {
		w = from.on.Load()
	}
	if w == nil || c.th != nil {
		c.wake()
		return
	}
	if c.toQueue() {
		w.runNext(c)
	}
}

// wakeOn wakes c to run where w runs its next turns: after the turn it
// runs now, on a host, or next, on a worker whose next slot is free. w
// must be running a turn on the calling goroutine; a nil w wakes c as wake
// does.
func (c *Component) wakeOn(w *worker) {
	if w == nil || c.th != nil {
		c.wake()
		return
	}
	if !c.toQueue() {
		return
	}
	switch {
	case w.host != nil:
		w.host.woken = append(w.host.woken, c)
	case w.next == nil:
		w.next = c
	default:
		c.rt.enqueue(c)
	}
}

// wake makes the component run: a reactive component is queued for a turn,
// a threaded one's Wait returns. Waking a component that is not active does
// nothing; activation gives it its first turn.
func (c *Component) wake() {
	if c.th != nil {
		select {
		case c.th.notify <- struct{}{}:
		default:
		}
		return
	}
	if c.toQueue() {
		c.rt.enqueue(c)
	}
}

// toQueue marks an active reactive component woken. It reports true when
// the component was idle and is now marked queued: the caller must then
// queue it (run queue, next slot, a loop host). A component queued already needs
// nothing more, one running gets another turn after this one, and one not
// yet activated gets its first turn from the activation.
func (c *Component) toQueue() bool {
	if c.life.Load() == created {
		return false
	}
	for {
		switch s := c.sched.Load(); s {
		case idle:
			if c.sched.CompareAndSwap(idle, queued) {
				return true
			}
		case running:
			if c.sched.CompareAndSwap(running, runningWoken) {
				return false
			}
		default:
			return false
		}
	}
}

// PanicError is the error of a component that panicked.
type PanicError struct {
	Component string
	Value     any
	Stack     []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("axon: component %s panicked: %v", e.Component, e.Value)
}

func (c *Component) panicked(v any) {
	c.Fail(&PanicError{Component: c.Name(), Value: v, Stack: debug.Stack()})
}

// Turn is what a reactive component's Dispatch is given: the state of one
// turn on a worker.
type Turn struct {
	c      *Component
	more   bool // an inbox still holds messages: run again
	held   bool // a served inbox was not emptied: ServeLast waits
	stop   bool // the component is blocked or stopping: serve nothing more
	served []BoxRef
}

// Component returns the component whose turn this is.
func (t *Turn) Component() *Component { return t.c }

// Serve hands the inbox's waiting messages, up to a fixed budget, to h, in
// order. It stops early when the component is stopping, or when something it
// sent is waiting for room: the messages not yet handled stay in the inbox.
func Serve[T any](t *Turn, in *Inbox[T], h func(T)) {
	t.served = append(t.served, &in.box)
	if t.stop || in.isPaused() {
		if in.Len() > 0 {
			t.held = true
		}
		return
	}
	v, more := in.claim()
	if more {
		t.more, t.held = true, true
	}
	handle(t, in, h, v)
}

// handle hands the claimed messages to h in order, stopping early when the
// component is stopping or something it sent waits for room; what was not
// handled stays in the inbox. A message whose handler panicked counts as
// handled.
func handle[T any](t *Turn, in *Inbox[T], h func(T), v claimView[T]) {
	if v.n == 0 {
		return
	}
	c := t.c
	done := 0
	if !v.taken {
		defer func() { in.release(done) }()
	}
	for done < v.n {
		m := v.at(done)
		done++
		h(m)
		if len(c.pending) > 0 || c.flags.Load()&(flagStopReq|flagBusy) != 0 {
			t.stop = true
			if done < v.n {
				t.held = true
			}
			break
		}
		if in.isPaused() {
			if done < v.n {
				t.held = true
			}
			break
		}
	}
	in.countOwn(done) // not after a panic: the component has failed
}

// ServeLast is Serve for an inbox that waits until every inbox served before
// it in this turn is empty: a component's control inbox, so that a
// producerFinished that follows data is handled after that data (Kamaelia's
// drain-then-check convention).
func ServeLast[T any](t *Turn, in *Inbox[T], h func(T)) {
	if t.held || t.stop {
		return
	}
	v, more := in.claim()
	if v.n == 0 {
		return
	}
	// A sender puts its data before its signal. Having claimed the signal,
	// any such data is visible now: if an inbox served before holds some,
	// the signal waits for the next turn.
	for _, b := range t.served {
		if b.Len() > 0 {
			in.unclaim(&v)
			t.more = true
			return
		}
	}
	if more {
		t.more = true
	}
	handle(t, in, h, v)
}

// turn runs one turn of a reactive component on a worker. It reports
// whether the component should be queued again at once.
func (c *Component) turn(t *Turn) bool {
	switch c.life.Load() {
	case active, stopping:
	default:
		return false
	}
	more := false
	if !c.stopping() {
		more = c.work(t)
	}
	if c.stopping() {
		c.finishReactive()
		return false
	}
	return more
}

func (c *Component) work(t *Turn) (more bool) {
	defer func() {
		if r := recover(); r != nil {
			c.panicked(r)
			more = false
		}
	}()
	if !c.has(flagStarted) {
		c.flags.Or(flagStarted)
		if h := c.hooks.start; h != nil {
			h(c.self)
		}
	}
	if c.has(flagTimerFired) && c.take(flagTimerFired) {
		if h := c.hooks.wake; h != nil {
			h(c.self)
		}
	}
	moreExits := c.reportExits(turnBudget)
	if !c.flush(false) || c.stopping() {
		return false
	}
	c.deliverWork()
	if !c.flush(false) || c.stopping() {
		return false
	}
	*t = Turn{c: c, served: t.served[:0], stop: c.has(flagBusy)}
	c.hooks.dispatch(c.self, t)
	clear(t.served)
	if h := c.hooks.turnEnd; h != nil && !c.stopping() && len(c.pending) == 0 {
		h(c.self)
	}
	return (t.more || moreExits) && len(c.pending) == 0
}

// flush moves what the component's outboxes hold to their destinations. It
// reports whether they are all empty; force moves everything even past the
// destinations' capacity.
func (c *Component) flush(force bool) bool {
	if len(c.pending) == 0 {
		return true
	}
	kept := c.pending[:0]
	for _, o := range c.pending {
		if !o.flush(force) {
			kept = append(kept, o)
		}
	}
	clear(c.pending[len(kept):])
	c.pending = kept
	return len(kept) == 0
}

// reportExits tells the OnChildDone hook of the children that finished,
// up to budget of them (0: all), and reports whether more are left.
func (c *Component) reportExits(budget int) (more bool) {
	if !c.has(flagHasExits) {
		return false
	}
	c.mu.Lock()
	exits := c.ext.exited
	if budget > 0 && len(exits) > budget {
		// A turn tells of a budget of them, as it handles a budget of an
		// inbox's messages: a server whose connections all closed at once
		// serves a new one between batches of their exits.
		c.ext.exited, exits, more = exits[budget:], exits[:budget], true
	} else {
		c.flags.And(^flagHasExits)
		c.ext.exited = nil
	}
	c.mu.Unlock()
	if h := c.hooks.childDone; h != nil {
		for _, e := range exits {
			h(c.self, e.c, e.err)
		}
	}
	clear(exits) // what is left shares their array
	return more
}

// finishReactive runs the stop hook once, and finishes the component when its
// children have all finished.
func (c *Component) finishReactive() {
	if !c.has(flagStopHooked) {
		c.flags.Or(flagStopHooked)
		c.life.Store(stopping)
		if h := c.hooks.stop; h != nil && c.has(flagStarted) {
			func() {
				defer func() {
					if r := recover(); r != nil {
						c.panicked(r)
					}
				}()
				h(c.self)
			}()
		}
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				c.panicked(r)
			}
		}()
		c.reportExits(0)
	}()
	c.mu.Lock()
	n := 0
	if c.ext != nil {
		n = len(c.ext.children)
	}
	c.mu.Unlock()
	if n > 0 {
		return // the last child to finish wakes c
	}
	if c.workRunning() {
		return // the last work to return wakes c
	}
	c.dropWork()
	// What the component sent on its way out is delivered, even past the
	// destination's capacity, rather than lost.
	c.flush(true)
	c.finish()
}

func (c *Component) tryFinishThreaded() {
	c.mu.Lock()
	ready := c.th.mainDone && (c.ext == nil || len(c.ext.children) == 0) && c.life.Load() != done
	c.mu.Unlock()
	if ready {
		c.finish()
	}
}

// finish marks the component done, removes the links it made, and tells
// its parent (or its runtime).
func (c *Component) finish() {
	c.mu.Lock()
	if c.life.Load() == done {
		c.mu.Unlock()
		return
	}
	c.life.Store(done)
	var links []*Linkage
	var feeds []attachable
	if x := c.ext; x != nil {
		links, x.links = x.links, nil
		if x.feedsOn {
			feeds = x.feeds
		}
		x.feeds, x.feedsOn = nil, false
		if x.timer != nil {
			x.timer.Stop()
		}
		if x.cancel != nil {
			x.cancel()
		}
	}
	var err error
	if c.ext != nil {
		err = c.ext.err
	}
	c.mu.Unlock()

	for _, l := range links {
		l.owner.Store(nil) // already taken off the list
		l.flush()          // what its source still holds is delivered, not stranded
		l.Unlink()
	}
	for _, f := range feeds {
		f.Detach() // the subscriptions end
	}
	c.dropPending() // what no one can take any more is counted
	c.finishMeter(err)
	if err != nil {
		var pe *PanicError
		if errors.As(err, &pe) {
			if pe.Component == c.Name() { // its ancestors do not log it again
				c.Log().Error("component panicked", "panic", pe.Value, "stack", string(pe.Stack))
			}
		} else {
			c.Log().Debug("component failed", "err", err)
		}
	}
	c.mu.Lock()
	if x := c.ext; x != nil {
		x.doneClosed = true
		if x.doneCh != nil {
			close(x.doneCh)
		}
	} else {
		c.more().doneClosed = true
	}
	c.mu.Unlock()
	if p := c.parent; p != nil {
		p.childDone(c, err)
	} else {
		c.rt.topDone(c, err)
	}
}

func (c *Component) childDone(child *Component, err error) {
	c.mu.Lock()
	if x := c.ext; x != nil {
		// Swapped out with the last child: a parent with many children
		// (a server's connections) loses each in constant time.
		if i := int(child.childAt); i < len(x.children) && x.children[i] == child {
			last := len(x.children) - 1
			x.children[i] = x.children[last]
			x.children[i].childAt = int32(i)
			x.children[last] = nil
			x.children = x.children[:last]
		}
	}
	if c.th == nil {
		x := c.more()
		x.exited = append(x.exited, childExit{child, err})
		c.flags.Or(flagHasExits)
	}
	c.mu.Unlock()
	if c.th != nil {
		c.tryFinishThreaded()
	}
	c.wake()
}

func (c *Component) runMain(m Threaded) {
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Component: c.Name(), Value: r, Stack: debug.Stack()}
			}
		}()
		return m.Main(c.th.ctx)
	}()
	if err != nil && !(c.stopping() && errors.Is(err, context.Canceled)) {
		c.mu.Lock()
		if x := c.more(); x.err == nil {
			x.err = err
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.th.mainDone = true
	c.mu.Unlock()
	c.Stop() // a component whose Main returned stops its children
	c.tryFinishThreaded()
}
