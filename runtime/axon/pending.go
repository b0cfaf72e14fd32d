package axon

import (
	"reflect"
	"sync"
	"unsafe"
)

// What a component leaves when it finishes is accounted for, never
// silently gone: the messages waiting in its inboxes are dropped and
// counted (Runtime.Dropped), and so is every message sent to one of its
// inboxes afterwards, so that a sender waiting for room in a finished
// component's inbox is let go rather than held for ever. What it had sent
// and was holding for lack of room is delivered before that (flush); what
// waits in an outbox linked nowhere stays there, and goes wherever the
// outbox is linked next.

// dropper is an inbox of any message type, for dropPending.
type dropper interface {
	// dropPending drops what the box holds for a finished owner and
	// returns how many messages it dropped.
	dropPending() int
}

// dropPending drops what the inbox holds: its finished owner will never
// take it. It wakes those waiting for room, whose messages are dropped as
// they come. (An outbox keeps what it holds: linked later, it delivers it,
// as an unlinked outbox does.)
func (in *Inbox[T]) dropPending() int {
	b := &in.box
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.q.len() - int(b.claimed)
	for b.q.len() > int(b.claimed) {
		b.removeAt(int(b.claimed))
	}
	if b.hasWaitersLocked() {
		b.wakeWaitersLocked()
	}
	return n
}

// boxFields lists where a component type keeps its inboxes (fields of
// type Inbox, at any depth of embedded structs), found once per type.
type boxFields []func(self unsafe.Pointer) dropper

var boxFieldsOf sync.Map // reflect.Type -> boxFields

// boxFieldsFor returns the box fields of struct type t.
func boxFieldsFor(t reflect.Type) boxFields { return fieldsFor[dropper](&boxFieldsOf, t) }

// fieldsFor returns accessors of the fields of struct type t, at any depth
// of embedded structs but Component, whose pointers implement I; found
// once per type, in cache.
func fieldsFor[I any](cache *sync.Map, t reflect.Type) []func(self unsafe.Pointer) I {
	if t.Kind() != reflect.Struct {
		return nil
	}
	if f, ok := cache.Load(t); ok {
		return f.([]func(unsafe.Pointer) I)
	}
	it := reflect.TypeFor[I]()
	var fs []func(unsafe.Pointer) I
	var walk func(t reflect.Type, off uintptr)
	walk = func(t reflect.Type, off uintptr) {
		for i := range t.NumField() {
			f := t.Field(i)
			ft, at := f.Type, off+f.Offset
			switch {
			case reflect.PointerTo(ft).Implements(it):
				fs = append(fs, func(self unsafe.Pointer) I {
					return reflect.NewAt(ft, unsafe.Add(self, at)).Interface().(I)
				})
			case ft.Kind() == reflect.Struct && f.Anonymous && ft != reflect.TypeFor[Component]():
				walk(ft, at)
			}
		}
	}
	walk(t, 0)
	f, _ := cache.LoadOrStore(t, fs)
	return f.([]func(unsafe.Pointer) I)
}

// partFields returns the struct p points to and its box fields.
func partFields(p Part) (unsafe.Pointer, boxFields) {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer {
		return nil, nil
	}
	return v.UnsafePointer(), boxFieldsFor(v.Type().Elem())
}

// dropPending drops and counts what c's boxes hold now that it has
// finished.
func (c *Component) dropPending() {
	var fields boxFields
	switch {
	case c.th != nil:
		fields = c.th.boxes
	case c.hooks != nil:
		fields = c.hooks.boxes
	}
	if c.self == nil || c.rt == nil {
		return
	}
	n := 0
	for _, f := range fields {
		n += f(c.self).dropPending()
	}
	if n > 0 {
		c.rt.dropped.Add(int64(n))
	}
}

// Dropped returns how many messages were waiting in the inboxes of the
// runtime's components when they finished, or were sent to those inboxes
// afterwards: dropped, since no one would take them. Every other message
// sent is delivered, or still waits to be.
func (rt *Runtime) Dropped() int64 { return rt.dropped.Load() }
