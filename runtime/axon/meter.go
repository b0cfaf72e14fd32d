package axon

import (
	"errors"
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kamgen/kamgen/runtime/internal/meter"
)

// The runtime's metrics: when a runtime keeps a meter.Set (package
// metrics installs one), its components count the messages through their
// boxes and its workers their turns; without one, each place pays a nil
// check.

// metered is set once any runtime of the process keeps a meter: until
// then, the places that count test it (a load of a word nobody writes)
// and nothing else.
var metered atomic.Bool

func init() {
	meter.Install = func(rt any, s *meter.Set) error {
		r := rt.(*Runtime)
		s.RunQueue = func() int {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.runq.len()
		}
		if !r.meter.CompareAndSwap(nil, s) {
			return errors.New("axon: the runtime's metrics are registered already")
		}
		metered.Store(true)
		return nil
	}
	meter.Of = func(rt any) *meter.Set {
		if r, _ := rt.(*Runtime); r != nil {
			return r.meter.Load()
		}
		return nil
	}
}

// boxMeta is what a box tells the meter about itself.
type boxMeta interface {
	meta() (name string, dir Direction, addr uintptr)
}

func (b *box[T]) meta() (string, Direction, uintptr) {
	return b.name.Value(), b.dir, uintptr(unsafe.Pointer(b))
}

// startMeter gives c, being activated in a runtime that keeps a meter,
// the counters of its boxes: those of its type, made once per type from
// the box fields of its struct, of type st, at self.
func (c *Component) startMeter(s *meter.Set, typ string, st reflect.Type, self unsafe.Pointer) {
	if self == nil || st == nil {
		self, st = unsafe.Pointer(c), nil
	}
	k := s.Kind(typ, func() (descs []meter.BoxDesc, offs []uintptr) {
		for _, b := range meteredBoxes(st, self) {
			name, dir, addr := b.meta()
			descs = append(descs, meter.BoxDesc{Name: name, In: dir == In})
			offs = append(offs, addr-uintptr(self))
		}
		return descs, offs
	})
	c.more().meter = k.Start(uintptr(self)) // c.mu is held
	c.flags.Or(flagMetered)
}

var boxMetaType = reflect.TypeFor[boxMeta]()

// meteredBoxes returns the boxes that are fields of the struct of type t
// at self, and of the structs it embeds.
func meteredBoxes(t reflect.Type, self unsafe.Pointer) []boxMeta {
	var boxes []boxMeta
	var walk func(t reflect.Type, off uintptr)
	walk = func(t reflect.Type, off uintptr) {
		if t == nil || t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			ft, at := f.Type, off+f.Offset
			switch {
			case reflect.PointerTo(ft).Implements(boxMetaType):
				boxes = append(boxes, reflect.NewAt(ft, unsafe.Add(self, at)).Interface().(boxMeta))
			case ft.Kind() == reflect.Struct && f.Anonymous && ft != reflect.TypeFor[Component]():
				walk(ft, at)
			}
		}
	}
	walk(t, 0)
	return boxes
}

// meterOf returns c's counters, or nil. Once flagMetered is seen, c.ext
// is set and never changes: it is read without the lock.
func (c *Component) meterOf() *meter.Comp {
	if !metered.Load() || c.flags.Load()&flagMetered == 0 {
		return nil
	}
	return c.ext.meter
}

// finishMeter folds c's counts into its type's, with how it ended.
func (c *Component) finishMeter(err error) {
	m := c.meterOf()
	if m == nil {
		return
	}
	var pe *PanicError
	panicked := errors.As(err, &pe) && pe.Component == c.Name()
	m.Finish(err != nil, panicked)
}

// count counts n messages sent on b (an outbox) or taken from it (an
// inbox), from any goroutine.
func (b *box[T]) count(n int) {
	if metered.Load() {
		b.countMetered(n, false)
	}
}

// countOwn is count in a turn of b's reactive owner: what it counts is
// added when the turn ends (flushMeter).
func (b *box[T]) countOwn(n int) {
	if metered.Load() {
		b.countMetered(n, true)
	}
}

// countMetered is count and countOwn once metrics are on somewhere: the
// hot paths inline only the test of metered.
//
//go:noinline
func (b *box[T]) countMetered(n int, own bool) {
	m := b.owner.meterOf()
	switch {
	case m == nil:
	case own:
		m.AddOwn(uintptr(unsafe.Pointer(b)), b.dir == In, n)
	default:
		m.Add(uintptr(unsafe.Pointer(b)), b.dir == In, n)
	}
}

// flushMeter adds what c counted in the turn that has just ended.
func (c *Component) flushMeter() {
	if m := c.meterOf(); m != nil {
		m.Flush()
	}
}

// depth records how many messages b holds, after a push. b.mu is held.
// An inbox that holds one message is the common case and is not looked
// at: the collector reports at least 1 for an inbox that has received
// anything.
func (b *box[T]) depth() {
	if metered.Load() {
		b.depthMetered()
	}
}

//go:noinline
func (b *box[T]) depthMetered() {
	n := b.q.len() - int(b.claimed)
	if n <= 1 && b.dir == In {
		return
	}
	if m := b.owner.meterOf(); m != nil {
		m.Depth(uintptr(unsafe.Pointer(b)), b.dir == In, n)
	}
}

// shardFor returns the shard the worker w counts the turns of c's
// runtime in, or nil when that runtime keeps no meter. A worker runs the
// turns of its own runtime; a host (a network loop) those of any, and
// keeps the shard of the last it met. Called once metrics are on
// somewhere (metered).
func (w *worker) shardFor(c *Component) *meter.Shard {
	rt := c.rt
	if rt == w.mrt {
		return w.shard
	}
	s := rt.meter.Load()
	if s == nil {
		return nil // not cached: metrics may be registered later
	}
	w.mrt, w.shard = rt, s.Shard(w)
	return w.shard
}

// meteredTurn runs a turn of c, which run has begun, in a process where
// metrics are on: counted and sampled if c's runtime keeps a meter.
//
//go:noinline
func (w *worker) meteredTurn(c *Component, t *Turn) bool {
	sh := w.shardFor(c)
	if sh == nil {
		return c.turn(t)
	}
	more := w.timedTurn(sh, c, t)
	c.flushMeter()
	return more
}

// timedTurn runs a turn of c, timing one in meter.SampleEvery.
func (w *worker) timedTurn(sh *meter.Shard, c *Component, t *Turn) bool {
	if !sh.Sample() {
		return c.turn(t)
	}
	start := time.Now()
	more := c.turn(t)
	sh.Observe(time.Since(start))
	return more
}
