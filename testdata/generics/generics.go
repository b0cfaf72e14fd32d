package generics

import (
	"cmp"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Number is a local constraint.
type Number interface{ ~int | ~int64 | ~float64 }

// Relay has one type parameter and the four standard boxes: it gets the
// Std accessors, and no server factories even when T is []byte, since
// they cannot be generic.
type Relay[T any] struct {
	axon.Component
	In      axon.Inbox[T]            `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[T]           `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
}

func (r *Relay[T]) OnIn(m T)                  { r.Out.Send(m) }
func (r *Relay[T]) OnControl(sig axon.Signal) { r.Signal.Send(sig); r.Stop() }

// Index has two type parameters (any, comparable) and a handler that
// returns an error.
type Index[K comparable, V any] struct {
	axon.Component
	In   axon.Inbox[map[K]V] `inbox:"inbox,cap=8"`
	Vals axon.Outbox[[]V]    `outbox:"vals"`
	Keys axon.Outbox[[]K]    `outbox:"keys"`
}

func (x *Index[K, V]) OnIn(m map[K]V) error { return nil }

// Key is constrained by a union.
type Key[T ~int | ~string] struct {
	axon.Component
	In  axon.Inbox[T]    `inbox:"in"`
	Out axon.Outbox[[]T] `outbox:"out"`
}

func (k *Key[T]) OnIn(T) {}

// Max is constrained by an imported constraint.
type Max[T cmp.Ordered] struct {
	axon.Component
	In  axon.Inbox[[]T] `inbox:"in"`
	Out axon.Outbox[T]  `outbox:"out"`
}

func (m *Max[T]) OnIn(xs []T) error { return nil }

// Sum names its type parameters c and t, the generated receiver's and
// turn's usual names: the generated code must pick others.
type Sum[c Number, t fmt.Stringer] struct {
	axon.Component
	In    axon.Inbox[c]             `inbox:"in"`
	Names axon.Inbox[t]             `inbox:"names"`
	Total axon.Outbox[map[string]c] `outbox:"total"`
}

func (s *Sum[c, t]) OnIn(x c) error { return nil }
func (s *Sum[c, t]) OnNames(x t)    {}

// Elems has a constraint that uses another type parameter, an explicit
// interface with a method and a type term, and one of pointer types.
type Elems[E any, S ~[]E, L interface {
	~string
	Len() int
}, P interface{ *int | *string }] struct {
	axon.Component
	In    axon.Inbox[S]             `inbox:"in"`
	Label axon.Inbox[L]             `inbox:"label,nohandler"`
	Ptrs  axon.Inbox[[]P]           `inbox:"ptrs"`
	Out   axon.Outbox[E]            `outbox:"out"`
	Pairs axon.Outbox[map[string]S] `outbox:"pairs"`
}

func (e *Elems[E, S, L, P]) OnIn(s S) error { return nil }
func (e *Elems[E, S, L, P]) OnPtrs([]P)     {}

// Gen is a generic type used as a message, instantiated with a type
// parameter.
type Gen[T any] struct{ V T }

// Wrap carries an instantiation of a local generic type with its own type
// parameter.
type Wrap[T comparable] struct {
	axon.Component
	In  axon.Inbox[Gen[T]]           `inbox:"in"`
	Out axon.Outbox[*Gen[map[T][]T]] `outbox:"out"`
}

func (w *Wrap[T]) OnIn(g Gen[T]) error { return nil }
