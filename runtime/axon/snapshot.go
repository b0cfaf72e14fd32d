package axon

import (
	"cmp"
	"reflect"
	"slices"
	"sync"
	"unsafe"
)

// A live picture of a runtime (runtime/introspect) is taken from another
// goroutine while the components run: Walk and AppendBoxes stop nothing. They
// take, one at a time and briefly, the locks a component takes to start a
// child and a box takes for each message, never the scheduler's; what they
// return is each figure exact, though not all taken at one instant.

// Walk calls visit for every component of rt that has not finished, each
// before its children, depth first, top-level components in the order
// they were activated. visit is given the component as it was activated
// (the struct that embeds Component, so that a type switch finds a
// connection's adapter) and its depth, 0 for a top-level component; when
// it returns false, the component's children are skipped. Walk may be
// called from any goroutine; a component started or finished meanwhile
// may or may not be visited.
func (rt *Runtime) Walk(visit func(p Part, depth int) bool) {
	rt.topMu.Lock()
	tops := make([]*Component, 0, len(rt.top))
	for c := range rt.top {
		tops = append(tops, c)
	}
	rt.topMu.Unlock()
	slices.SortFunc(tops, func(a, b *Component) int { return cmp.Compare(a.id.Load(), b.id.Load()) })
	for _, c := range tops {
		walk(c, 0, visit)
	}
}

func walk(c *Component, depth int, visit func(p Part, depth int) bool) {
	if !visit(c.part(), depth) {
		return
	}
	for _, child := range c.Children() {
		walk(child, depth+1, visit)
	}
}

// part returns the struct that embeds c, as it was activated, or c itself
// when it is not known.
func (c *Component) part() Part {
	self, ptr := c.selfType()
	if self == nil || ptr == nil || ptr.Kind() != reflect.Pointer {
		return c
	}
	if p, ok := reflect.NewAt(ptr.Elem(), self).Interface().(Part); ok {
		return p
	}
	return c
}

// selfType returns the component's outermost struct and its pointer type.
func (c *Component) selfType() (unsafe.Pointer, reflect.Type) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.th != nil:
		return c.self, c.th.ptr
	case c.hooks != nil:
		return c.self, c.hooks.ptr
	}
	return nil, nil
}

// BoxState is one box of a component at the moment AppendBoxes looked at it.
type BoxState struct {
	Box BoxRef // the box: its name, direction and owner
	Len int    // the messages stored in it, not counting those its owner is handling
	Cap int    // its capacity
	// To is the box at the end of Box's chain, where what is sent into Box
	// is stored; nil while Box is the end of its own chain (not linked, or
	// still holding what it had when it was linked).
	To BoxRef
}

// AppendBoxes appends to dst the state of the boxes the component keeps
// in its struct (fields of type Inbox or Outbox, at any depth of embedded
// structs), in the order they are declared, and returns the extended
// slice; it appends nothing before the component is activated. Boxes made
// on demand and kept behind a pointer are not among them. It may be called
// from any goroutine; reusing dst, a walk of many components allocates
// nothing per component.
func (c *Component) AppendBoxes(dst []BoxState) []BoxState {
	self, ptr := c.selfType()
	if self == nil || ptr == nil || ptr.Kind() != reflect.Pointer {
		return dst
	}
	for _, f := range stateFieldsFor(ptr.Elem()) {
		b := f(self)
		s := BoxState{Box: b}
		s.Len, s.Cap, s.To = b.state()
		dst = append(dst, s)
	}
	return dst
}

// stater is a box of any message type, for AppendBoxes.
type stater interface {
	BoxRef
	state() (n, capacity int, to BoxRef)
}

// state returns what the box holds, its capacity and the end of its chain.
func (b *box[T]) state() (n, capacity int, to BoxRef) {
	b.mu.Lock()
	n, capacity = b.q.len()-int(b.claimed)+b.feedLen(), int(b.capacity)
	b.mu.Unlock()
	if f := b.final.Load(); f != nil && f != b {
		to = f
	}
	return n, capacity, to
}

// stateFieldsOf caches, per component type, where it keeps its boxes,
// inboxes and outboxes.
var stateFieldsOf sync.Map // reflect.Type -> []func(unsafe.Pointer) stater

func stateFieldsFor(t reflect.Type) []func(self unsafe.Pointer) stater {
	return fieldsFor[stater](&stateFieldsOf, t)
}
