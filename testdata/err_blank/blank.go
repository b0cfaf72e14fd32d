package err_blank

import "github.com/kamgen/kamgen/runtime/axon"

// A blank box field cannot be named by the generated code.
type C struct {
	axon.Component
	_  axon.Inbox[int] `inbox:"x"`
	In axon.Inbox[int] `inbox:"inbox"`
}

func (c *C) onIn(int) {}

// A blank type cannot have methods.
type _ struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`
}
