package err_syntax_other

import "github.com/kamgen/kamgen/runtime/axon"

// C is fine; another file of its package does not parse.
type C struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`
}

func (c *C) onIn(int) {}
