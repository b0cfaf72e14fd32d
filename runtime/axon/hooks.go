package axon

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"
)

// Hooks are what the runtime calls in the turns of a reactive component of
// type T. kamgen generates them, with the component's dispatch and the
// hook methods it declares (OnStart or onStart, ...), and its initBoxes
// binds them with Bind; so the dispatch and the hooks need not be exported
// methods, and a component's go doc shows only what its user calls.
//
// Each function is called in a turn of the component, never at the same
// time as another of them or one of its handlers. A nil function is not
// called, unless T has the matching exported method (Dispatch, OnStart,
// OnStop, OnWake, OnTurnEnd, OnChildDone), which is called in its place: a
// hook added by hand after the code was generated is not lost.
//
// A component written by hand, with no generated code, needs no Hooks: it
// declares those exported methods, and the runtime finds them when it is
// activated.
type Hooks[T any] struct {
	// Dispatch hands each inbox's waiting messages to its handler, with
	// Serve, ServeLast and ServeFrames. It is required.
	Dispatch func(c *T, t *Turn)
	// Start is called once, in the component's first turn, before any
	// message is handled.
	Start func(c *T)
	// Stop is called once when a component that has started stops,
	// whatever stopped it (Stop, Fail, its parent, its runtime, a panic in
	// a handler): the place to release what the component holds (sockets,
	// files). A component stopped before its first turn never starts:
	// neither Start nor Stop runs.
	Stop func(c *T)
	// Wake is called when a timer set with WakeAfter fires.
	Wake func(c *T)
	// TurnEnd is called at the end of every turn in which the component
	// was not held up by a full destination, after its inboxes were
	// served: the place to act once per batch (write what the handlers
	// queued, flush a buffer) and to look at state that Notify announced.
	TurnEnd func(c *T)
	// ChildDone is told each time one of the component's children has
	// finished; err is what the child failed with, or nil.
	ChildDone func(c *T, child *Component, err error)
}

// Bound keeps the hooks of a component type in the runtime's form, made
// once and shared by every component of the type: usually a package
// variable, ready at its zero value. It must not be copied.
type Bound[T any] struct {
	once sync.Once
	tab  hookTab
}

// Bind makes hooks() the hooks of c, whose embedded Component is base.
// kamgen's initBoxes calls it; call it before c is activated. hooks is
// called once per b, the first time, and binding allocates nothing.
//
// hooks is a function rather than a value so that a package variable
// holding the Hooks never refers to the handlers: a handler that makes a
// component of its own type would make that an initialization cycle.
func Bind[T any](c *T, base *Component, b *Bound[T], hooks func() Hooks[T]) {
	b.once.Do(func() { b.tab = makeTab(hooks()) })
	base.self, base.hooks = unsafe.Pointer(c), &b.tab
}

// hookTab is the runtime's form of a component type's hooks: the same
// functions for every type, taking the component as a pointer to its
// outermost struct (the T of Hooks[T], which embeds the Component).
type hookTab struct {
	typ       string // the component's type, as %T prints it: its name
	dispatch  func(self unsafe.Pointer, t *Turn)
	start     func(self unsafe.Pointer)
	stop      func(self unsafe.Pointer)
	wake      func(self unsafe.Pointer)
	turnEnd   func(self unsafe.Pointer)
	childDone func(self unsafe.Pointer, child *Component, err error)
	boxes     boxFields    // where the type keeps its boxes, for dropPending
	ptr       reflect.Type // *T: for Walk, and the struct the metrics name
}

// The exported methods of a component written by hand, and of a generated
// one whose hook was declared after its code was generated.
type (
	reactive     interface{ Dispatch(t *Turn) }
	starter      interface{ OnStart() }
	stopper      interface{ OnStop() }
	alarmed      interface{ OnWake() }
	turnEnder    interface{ OnTurnEnd() }
	childWatcher interface {
		OnChildDone(child *Component, err error)
	}
)

func makeTab[T any](h Hooks[T]) hookTab {
	var t hookTab
	t.typ = fmt.Sprintf("%T", (*T)(nil))
	t.boxes = boxFieldsFor(reflect.TypeFor[T]())
	t.ptr = reflect.TypeFor[*T]()
	self := func(p unsafe.Pointer) any { return (*T)(p) }
	var zero any = (*T)(nil)
	switch _, ok := zero.(reactive); {
	case h.Dispatch != nil:
		f := h.Dispatch
		t.dispatch = func(p unsafe.Pointer, turn *Turn) { f((*T)(p), turn) }
	case ok:
		t.dispatch = func(p unsafe.Pointer, turn *Turn) { self(p).(reactive).Dispatch(turn) }
	}
	t.start = hook(h.Start, zero, func(x starter) { x.OnStart() })
	t.stop = hook(h.Stop, zero, func(x stopper) { x.OnStop() })
	t.wake = hook(h.Wake, zero, func(x alarmed) { x.OnWake() })
	t.turnEnd = hook(h.TurnEnd, zero, func(x turnEnder) { x.OnTurnEnd() })
	switch _, ok := zero.(childWatcher); {
	case h.ChildDone != nil:
		f := h.ChildDone
		t.childDone = func(p unsafe.Pointer, child *Component, err error) { f((*T)(p), child, err) }
	case ok:
		t.childDone = func(p unsafe.Pointer, child *Component, err error) {
			self(p).(childWatcher).OnChildDone(child, err)
		}
	}
	return t
}

// hook returns f in the runtime's form; or, when f is nil and T has the
// method of interface I, a call of it; or nil.
func hook[T, I any](f func(*T), zero any, call func(I)) func(unsafe.Pointer) {
	if f != nil {
		return func(p unsafe.Pointer) { f((*T)(p)) }
	}
	if _, ok := zero.(I); ok {
		return func(p unsafe.Pointer) { call(any((*T)(p)).(I)) }
	}
	return nil
}

// methodHooks is the hook table of a component written by hand, found from
// its exported methods when it is activated without Bind.
func methodHooks(p Part) *hookTab {
	t := &hookTab{typ: fmt.Sprintf("%T", p), ptr: reflect.TypeOf(p)}
	if r, ok := p.(reactive); ok {
		t.dispatch = func(_ unsafe.Pointer, turn *Turn) { r.Dispatch(turn) }
	}
	if x, ok := p.(starter); ok {
		t.start = func(unsafe.Pointer) { x.OnStart() }
	}
	if x, ok := p.(stopper); ok {
		t.stop = func(unsafe.Pointer) { x.OnStop() }
	}
	if x, ok := p.(alarmed); ok {
		t.wake = func(unsafe.Pointer) { x.OnWake() }
	}
	if x, ok := p.(turnEnder); ok {
		t.turnEnd = func(unsafe.Pointer) { x.OnTurnEnd() }
	}
	if x, ok := p.(childWatcher); ok {
		t.childDone = func(_ unsafe.Pointer, child *Component, err error) { x.OnChildDone(child, err) }
	}
	return t
}
