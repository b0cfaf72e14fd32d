package guardfallback

import "github.com/kamgen/kamgen/runtime/axon"

// Partial has a field whose type does not resolve when kamgen runs
// (Missing is declared only under the build tag kamgen_buildcheck, which
// the golden build sets). The generated guard names the box fields only,
// so a field kamgen cannot spell does not matter to it.
//
// This is the one way found to make a field's type unnameable from the
// generated file: an unexported type of another package can only be spelled
// through an exported alias, which go/types keeps, and a package-level
// struct cannot use a function's local type.
type Partial struct {
	axon.Component
	In    axon.Inbox[int]     `inbox:"in"`
	Out   axon.Outbox[string] `outbox:"out"`
	state Missing
}

func (p *Partial) OnIn(int) {}

// PartialGen is the same, generic.
type PartialGen[T any] struct {
	axon.Component
	In    axon.Inbox[T]      `inbox:"in"`
	Out   axon.Outbox[[]T]   `outbox:"out"`
	state map[string]Missing `json:"-"`
}

func (p *PartialGen[T]) OnIn(T) {}
