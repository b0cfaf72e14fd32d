package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/internal/loop"
	"github.com/kamgen/kamgen/runtime/internal/meter"
)

// Runtime is a scheduler instance: a pool of workers that run reactive
// components' turns, and the components activated in it. Runtimes are
// independent of each other: two in one process (two tests, say) share
// nothing.
type Runtime struct {
	log   *slog.Logger
	ids   atomic.Uint64
	goSem chan struct{} // bounds the works started with Go that run at once

	mu       sync.Mutex // guards the run queue
	work     sync.Cond
	quiet    sync.Cond // broadcast when every worker waits for work
	runq     ring[*Component]
	waiting  atomic.Int32 // runq.len(), for a look without mu
	free     atomic.Int32 // workers idle or spinning, for a look without mu
	idle     int
	workers  int
	spinning bool // a worker spins, looking for work
	closed   bool
	wg       sync.WaitGroup

	topMu   sync.Mutex // guards what follows
	top     map[*Component]struct{}
	errs    []error
	allDone chan struct{} // closed while top is empty

	dropped atomic.Int64              // messages finished components left (Dropped)
	meter   atomic.Pointer[meter.Set] // the counters of the runtime's metrics, if they are on
	names   sync.Map                  // what is registered by name: backplanes (loop.Names)
}

// Option configures a Runtime.
type Option func(*Runtime, *int)

// WithWorkers sets the number of workers that run reactive components
// (default GOMAXPROCS).
func WithWorkers(n int) Option {
	return func(_ *Runtime, workers *int) {
		if n > 0 {
			*workers = n
		}
	}
}

// WithGoLimit sets how many works started with Go run at once across the
// runtime (default DefaultGoLimit); further works wait their turn.
func WithGoLimit(n int) Option {
	return func(rt *Runtime, _ *int) {
		if n > 0 {
			rt.goSem = make(chan struct{}, n)
		}
	}
}

// WithLogger sets the logger components and the runtime log to (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(rt *Runtime, _ *int) {
		if l != nil {
			rt.log = l
		}
	}
}

// NewRuntime starts a runtime with its workers. Stop it with Shutdown or
// Close.
func NewRuntime(opts ...Option) *Runtime {
	rt := &Runtime{log: slog.Default(), top: map[*Component]struct{}{}}
	workers := runtime.GOMAXPROCS(0)
	for _, o := range opts {
		o(rt, &workers)
	}
	if rt.goSem == nil {
		rt.goSem = make(chan struct{}, DefaultGoLimit)
	}
	rt.work.L, rt.quiet.L = &rt.mu, &rt.mu
	rt.workers = workers
	rt.allDone = make(chan struct{})
	close(rt.allDone)
	rt.wg.Add(workers)
	for range workers {
		go rt.worker()
	}
	return rt
}

// Activate starts top-level components (Kamaelia's activate). A component is
// activated once; a reactive one runs its first turn soon after, a threaded
// one's Main starts in its own goroutine.
func (rt *Runtime) Activate(parts ...Part) error {
	var errs []error
	for _, p := range parts {
		errs = append(errs, rt.activate(p, nil))
	}
	return errors.Join(errs...)
}

func (rt *Runtime) activate(p Part, parent *Component) error {
	return rt.activateOn(p, parent, nil)
}

// activateOn is activate, whose reactive component's first turn is woken
// where w runs its next turns (wakeOn), not in the run queue, when w is not
// nil: w is the worker running parent's turn, on the calling goroutine.
func (rt *Runtime) activateOn(p Part, parent *Component, w *worker) error {
	if p == nil {
		return errors.New("axon: activate: nil component")
	}
	c := p.Base()
	if c == nil {
		return fmt.Errorf("axon: activate %T: Base returned nil", p)
	}
	th, isThreaded := p.(Threaded)
	// Where a component not bound by generated code keeps its inboxes
	// (generated code's hook table has them).
	self, fields := c.self, boxFields(nil)
	if self == nil || isThreaded {
		self, fields = partFields(p)
	}
	var hooks *hookTab
	if !isThreaded {
		if hooks = c.hooks; hooks == nil {
			hooks = methodHooks(p) // written by hand: its exported methods
			hooks.boxes = fields
		}
		if hooks.dispatch == nil {
			return fmt.Errorf("axon: %T is neither reactive (Dispatch) nor threaded (Main): run go generate, so that kamgen generates its dispatch, and build it with its New function or initBoxes", p)
		}
	}
	c.mu.Lock()
	if c.rt != nil || c.life.Load() != created {
		c.mu.Unlock()
		return fmt.Errorf("axon: %T activated twice", p)
	}
	c.rt, c.parent = rt, parent
	c.id.Store(rt.ids.Add(1))
	c.self = self
	if s := rt.meter.Load(); s != nil {
		typ, st := fmt.Sprintf("%T", p), reflect.TypeOf(p)
		if st.Kind() == reflect.Pointer {
			st = st.Elem()
		}
		if hooks != nil && hooks.ptr != nil {
			typ, st = hooks.typ, hooks.ptr.Elem() // the struct Bind was given
		}
		c.startMeter(s, typ, st, self)
	}
	if isThreaded {
		c.hooks = nil
		ctx, cancel := context.WithCancel(context.Background())
		c.th = &threadState{typ: fmt.Sprintf("%T", p), ptr: reflect.TypeOf(p), notify: make(chan struct{}, 1), ctx: ctx}
		c.th.boxes = fields
		x := c.more()
		x.ctx, x.cancel = ctx, cancel
		if c.stopping() {
			cancel()
		}
	} else {
		c.hooks = hooks
	}
	c.mu.Unlock()

	if parent != nil {
		parent.mu.Lock()
		if parent.life.Load() == done {
			parent.mu.Unlock()
			return fmt.Errorf("axon: %s: cannot start a child after it finished", parent.Name())
		}
		x := parent.more()
		c.childAt = int32(len(x.children))
		x.children = append(x.children, c)
		parent.mu.Unlock()
		if parent.stopping() {
			c.Stop()
		}
	} else {
		rt.topMu.Lock()
		if len(rt.top) == 0 {
			rt.allDone = make(chan struct{})
		}
		rt.top[c] = struct{}{}
		rt.topMu.Unlock()
	}
	c.life.Store(active)
	c.attachFeeds()
	if isThreaded {
		go c.runMain(th)
	} else {
		c.wakeOn(w)
	}
	return nil
}

func (rt *Runtime) topDone(c *Component, err error) {
	rt.topMu.Lock()
	defer rt.topMu.Unlock()
	delete(rt.top, c)
	if err != nil {
		rt.errs = append(rt.errs, fmt.Errorf("%s: %w", c.Name(), err))
	}
	if len(rt.top) == 0 {
		close(rt.allDone)
	}
}

// Wait blocks until every top-level component has finished, or ctx ends.
// It returns the errors top-level components failed with, joined, or ctx's
// error.
func (rt *Runtime) Wait(ctx context.Context) error {
	rt.topMu.Lock()
	ch := rt.allDone
	rt.topMu.Unlock()
	select {
	case <-ch:
		rt.topMu.Lock()
		defer rt.topMu.Unlock()
		return errors.Join(rt.errs...)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StopAll asks every top-level component (and so every component) to stop.
func (rt *Runtime) StopAll() {
	rt.topMu.Lock()
	tops := make([]*Component, 0, len(rt.top))
	for c := range rt.top {
		tops = append(tops, c)
	}
	rt.topMu.Unlock()
	for _, c := range tops {
		c.Stop()
	}
}

// Shutdown stops every component, waits for them to finish or for ctx to
// end, then stops the workers. It returns what Wait returns. Components that
// have not finished when ctx ends are abandoned: reactive ones never run
// again; a threaded one whose Main ignores its context keeps its goroutine.
func (rt *Runtime) Shutdown(ctx context.Context) error {
	rt.StopAll()
	err := rt.Wait(ctx)
	rt.mu.Lock()
	rt.closed = true
	rt.work.Broadcast()
	rt.mu.Unlock()
	rt.wg.Wait()
	return err
}

// Close is Shutdown with no deadline.
func (rt *Runtime) Close() error { return rt.Shutdown(context.Background()) }

// Run starts a runtime, activates parts, and waits until they have all
// finished or ctx ends; then it stops everything and returns the errors the
// components failed with. A ctx that ends is a normal way to stop: it is
// not reported as an error.
//
// When ctx ends, a part that stops gracefully, one with a method
// Shutdown(context.Context) error (a chassis.ServerCore: it stops
// accepting, and its connections close once the input they had received
// is answered), is given ShutdownGrace to do so; then whatever is left is
// stopped at once. So a server run with a context that SIGTERM ends
// (signal.NotifyContext) stops gracefully. Stop a part, or cancel the
// context given to its Shutdown, to stop at once.
func Run(ctx context.Context, parts ...Part) error {
	return NewRuntime().Run(ctx, parts...)
}

// Run is the function Run in a runtime made beforehand (with options, or
// with its metrics registered): it activates parts, waits until they have
// all finished or ctx ends, and then closes rt.
func (rt *Runtime) Run(ctx context.Context, parts ...Part) error {
	if err := rt.Activate(parts...); err != nil {
		_ = rt.Close()
		return err
	}
	if err := rt.Wait(ctx); err != nil && ctx.Err() == nil {
		_ = rt.Close()
		return err
	}
	if ctx.Err() != nil {
		shutdownGracefully(parts)
	}
	return rt.Close()
}

// ShutdownGrace is how long Run gives the parts that stop gracefully,
// once its context has ended, before it stops them at once.
const ShutdownGrace = 10 * time.Second

// shutdownGracefully shuts down, at once and within ShutdownGrace, the
// parts that have a Shutdown method.
func shutdownGracefully(parts []Part) {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	var wg sync.WaitGroup
	for _, p := range parts {
		if g, ok := p.(interface{ Shutdown(context.Context) error }); ok {
			wg.Go(func() { _ = g.Shutdown(ctx) })
		}
	}
	wg.Wait()
}

func (rt *Runtime) enqueue(c *Component) {
	rt.mu.Lock()
	rt.runq.push(c)
	rt.waiting.Store(int32(rt.runq.len()))
	if rt.idle > 0 {
		rt.work.Signal()
	}
	rt.mu.Unlock()
}

// spins is how many times an idle worker yields, looking for work, before
// it parks: work that comes within a few microseconds (the next event of a
// busy server) is taken without a futex wake-up.
const spins = 16

func (rt *Runtime) next() *Component {
	rt.mu.Lock()
	if rt.runq.len() == 0 && !rt.spinning && rt.workers > 1 {
		// One idle worker at a time spins, and none when there is one
		// worker (as Go's scheduler spins at most GOMAXPROCS/2 threads): a
		// quiet runtime does not burn the CPUs it shares.
		rt.spinning = true
		rt.free.Add(1)
		for i := 0; i < spins && rt.runq.len() == 0 && !rt.closed; i++ {
			rt.mu.Unlock()
			runtime.Gosched()
			rt.mu.Lock()
		}
		rt.spinning = false
		rt.free.Add(-1)
	}
	defer rt.mu.Unlock()
	for rt.runq.len() == 0 && !rt.closed {
		rt.idle++
		rt.free.Add(1)
		if rt.idle == rt.workers {
			rt.quiet.Broadcast()
		}
		rt.work.Wait()
		rt.idle--
		rt.free.Add(-1)
	}
	if rt.closed {
		return nil
	}
	c := rt.runq.pop()
	rt.waiting.Store(int32(rt.runq.len()))
	return c
}

// worker runs turns. Its next slot holds a component woken by the turn it
// is running, which runs right after it (Go's scheduler does the same with
// its runnext): a message and its reply go through on one CPU. A chain of
// such turns is cut after maxLocal, so that the run queue is served too.
type worker struct {
	rt    *Runtime   // nil for a host
	host  *host      // the host this worker is, or nil
	next  *Component // used by the worker's own goroutine only
	local int
	atEnd []loop.TurnEnder // told when the turn running ends (loop.AtTurnEnd)
	mrt   *Runtime         // the runtime whose meter shard follows
	shard *meter.Shard     // where the worker counts mrt's turns
}

const maxLocal = 32

// endTurn tells the sinks that asked (loop.AtTurnEnd) that c's turn has
// ended.
func (w *worker) endTurn(c *Component) {
	for i, e := range w.atEnd {
		e.TurnEnd(c)
		w.atEnd[i] = nil
	}
	w.atEnd = w.atEnd[:0]
}

// runNext makes c the component to run after the current turn; a component
// already there goes to the run queue.
func (w *worker) runNext(c *Component) {
	if old := w.next; old != nil {
		old.rt.enqueue(old)
	}
	w.next = c
}

// run runs a turn of c, which was queued for it.
func (w *worker) run(c *Component, t *Turn) {
	c.sched.Store(running)
	c.on.Store(w)
	var more bool
	if metered.Load() {
		more = w.meteredTurn(c, t)
	} else {
		more = c.turn(t)
	}
	if len(w.atEnd) > 0 {
		w.endTurn(c)
	}
	c.on.Store(nil)
	if more {
		c.sched.Store(queued)
		if w.next == nil && w.rt != nil && w.rt.waiting.Load() <= w.rt.free.Load() {
			// A worker goes on with it, while what it works on is in this
			// CPU's caches, unless more components wait in the run queue
			// than there are free workers to take them: then it goes
			// behind them, as a long stream must not keep a new client's
			// turns waiting (a mass close's notices to ServerCore did, for
			// 32 turns of 64 notices at a time). A publisher waiting for a
			// spinning worker, while its subscriber streams, costs nothing.
			w.next = c
			return
		}
		c.rt.enqueue(c)
		return
	}
	if !c.sched.CompareAndSwap(running, idle) {
		// Woken while it ran: give it another turn, behind the others.
		c.sched.Store(queued)
		if h := w.host; h != nil && !h.rerun {
			h.again = append(h.again, c)
			return
		}
		c.rt.enqueue(c)
	}
}

func (rt *Runtime) worker() {
	defer rt.wg.Done()
	w := &worker{rt: rt}
	var t Turn
	for {
		var c *Component
		if w.next != nil && w.local < maxLocal {
			c, w.next = w.next, nil
			w.local++
		} else {
			if w.next != nil { // let the run queue have a turn
				rt.enqueue(w.next)
				w.next = nil
			}
			w.local = 0
			if c = rt.next(); c == nil {
				return
			}
		}
		w.run(c, &t)
	}
}
