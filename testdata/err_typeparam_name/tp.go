package err_typeparam_name

import "github.com/kamgen/kamgen/runtime/axon"

// A type parameter named axon would hide the package in generated code.
type C[axon any] struct {
	Base
	In Inbox[axon] `inbox:"inbox"`
}

type (
	Base         = axon.Component
	Inbox[T any] = axon.Inbox[T]
)

func (c *C[T]) onIn(T) {}
