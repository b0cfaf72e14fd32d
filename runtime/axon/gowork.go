package axon

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"sync"
)

// DefaultGoLimit is how many works started with Go a runtime runs at once,
// across all its components, unless WithGoLimit says otherwise.
const DefaultGoLimit = 4096

// Go runs work off the runtime's workers, in a goroutine, and hands its
// result to done in a later turn of the reactive component p: work may
// block (a database, a disk, a name lookup) without holding up the other
// components.
//
// The contract:
//   - done runs in a turn of p, never at the same time as its handlers,
//     and the results of p's works reach it in the order the works were
//     started, whatever order they finish in.
//   - p runs at most its limit of works at once (1 unless SetGoLimit says
//     otherwise), and its runtime at most WithGoLimit's; further works wait
//     their turn, in order.
//   - While p has as many works started and not yet handed to done as its
//     limit, its inboxes are not served: their messages wait, the inboxes
//     fill, and those who send to p are held back. A client that types
//     faster than the store behind its handler answers is slowed down by
//     TCP, not buffered. This is pull-style input with nothing to write.
//   - ctx ends when p is asked to stop; p finishes only once its works in
//     flight have returned, so a handler needs no OnStop to wait for them.
//     The results of works that end after the stop are dropped: done is
//     not called, and a dropped result that is an io.Closer (a connection,
//     a file) with no error is closed, so that nothing leaks.
//   - A panic in work fails p with a *PanicError, as a panic in a handler
//     does; an error work returns goes to done, which decides.
//   - No goroutine is kept while nothing is in flight.
//
// Go is for reactive components, from their own turns (a handler or a
// hook). A threaded component blocks in its Main instead: Go panics there.
func Go[T any](p Part, work func(ctx context.Context) (T, error), done func(T, error)) {
	c := p.Base()
	if _, ok := p.(Threaded); ok {
		panic(fmt.Sprintf("axon.Go: %T is threaded: block in its Main instead", p))
	}
	if c.rt == nil {
		panic(fmt.Sprintf("axon.Go: %T is not activated: start works from its turns", p))
	}
	j := &goJob{}
	var v T
	var err error
	j.run = func(ctx context.Context) { v, err = work(ctx) }
	j.deliver = func() { done(v, err) }
	j.drop = func() {
		if err == nil {
			closeDropped(v)
		}
	}
	c.goWork().start(c, j)
}

// SetGoLimit sets how many works started with Go the component runs at
// once (default 1; n < 1 counts as 1). With 1, results come back one at a
// time and input waits meanwhile; a higher limit lets a component that
// answers requests pipelined by one client ask its store several at once.
func (c *Component) SetGoLimit(n int) {
	g := c.goWork()
	g.mu.Lock()
	g.limit = max(n, 1)
	g.mu.Unlock()
	c.updateBusy(g)
}

// goJob is one work started with Go.
type goJob struct {
	run      func(ctx context.Context)
	deliver  func()
	drop     func() // closes a result that done will never see
	started  bool
	finished bool
}

// goState is a component's works, in the order they were started: those
// running, those finished and not yet handed to done, and those waiting
// for room under a limit.
type goState struct {
	mu      sync.Mutex
	limit   int
	running int
	jobs    []*goJob // oldest first; done is called from the front
}

// goWork returns c's works, making their record.
func (c *Component) goWork() *goState {
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.more()
	if x.work == nil {
		x.work = &goState{limit: 1}
		c.flags.Or(flagWorked)
	}
	return x.work
}

// start queues j and runs what the limits allow.
func (g *goState) start(c *Component, j *goJob) {
	g.mu.Lock()
	g.jobs = append(g.jobs, j)
	g.mu.Unlock()
	c.flags.Or(flagWorks)
	c.updateBusy(g)
	g.launch(c)
}

// launch starts the works that wait, as far as c's limit allows.
func (g *goState) launch(c *Component) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if c.stopping() {
		return
	}
	for _, j := range g.jobs {
		if g.running >= g.limit {
			return
		}
		if j.started {
			continue
		}
		j.started = true
		g.running++
		go g.runJob(c, j)
	}
}

// runJob runs j in a goroutine of its own, under the runtime's limit, and
// wakes c when it has returned.
func (g *goState) runJob(c *Component, j *goJob) {
	ctx := c.Context()
	sem := c.rt.goSem
	select {
	case sem <- struct{}{}:
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.Fail(&PanicError{Component: c.Name(), Value: r, Stack: debug.Stack()})
				}
			}()
			j.run(ctx)
		}()
		<-sem
	case <-ctx.Done():
	}
	g.mu.Lock()
	j.finished = true
	g.running--
	g.mu.Unlock()
	g.launch(c)
	c.wake()
}

// deliverWork hands finished works' results to their done, oldest first,
// while the component is not held up by a send. It runs in the component's
// turn.
func (c *Component) deliverWork() {
	if !c.has(flagWorks) {
		return // the common case: no lock when no work waits to be handed over
	}
	c.mu.Lock()
	var g *goState
	if c.ext != nil {
		g = c.ext.work
	}
	c.mu.Unlock()
	if g == nil {
		return
	}
	for len(c.pending) == 0 && !c.stopping() {
		g.mu.Lock()
		if len(g.jobs) == 0 || !g.jobs[0].finished {
			g.mu.Unlock()
			break
		}
		j := g.jobs[0]
		g.jobs[0] = nil
		g.jobs = g.jobs[1:]
		if len(g.jobs) == 0 {
			c.flags.And(^flagWorks) // only this turn adds works (Go) or takes them
		}
		g.mu.Unlock()
		c.updateBusy(g)
		j.deliver()
	}
}

// updateBusy sets flagBusy while c has as many works not yet handed to
// done as its limit: its inboxes wait meanwhile.
func (c *Component) updateBusy(g *goState) {
	g.mu.Lock()
	busy := len(g.jobs) >= g.limit
	g.mu.Unlock()
	if busy {
		c.flags.Or(flagBusy)
	} else {
		c.flags.And(^flagBusy)
	}
}

// dropWork drops the results no done will see, once c's works have
// returned and c is finishing: a result that is an io.Closer is closed.
func (c *Component) dropWork() {
	c.mu.Lock()
	var g *goState
	if c.ext != nil {
		g = c.ext.work
	}
	c.mu.Unlock()
	if g == nil {
		return
	}
	g.mu.Lock()
	jobs := g.jobs
	g.jobs = nil
	g.mu.Unlock()
	for _, j := range jobs {
		if j.finished {
			j.drop()
		}
	}
}

// closeDropped closes v if it is an io.Closer, and not a nil one.
func closeDropped(v any) {
	cl, ok := v.(io.Closer)
	if !ok {
		return
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		if rv.IsNil() {
			return
		}
	}
	defer func() { _ = recover() }() // a Close that panics must not take the runtime down
	_ = cl.Close()
}

// workRunning reports whether works of c are still running: c finishes
// only after they have returned.
func (c *Component) workRunning() bool {
	if !c.has(flagWorked) {
		return false
	}
	c.mu.Lock()
	var g *goState
	if c.ext != nil {
		g = c.ext.work
	}
	c.mu.Unlock()
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running > 0
}
