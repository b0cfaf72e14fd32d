package err_syntax

import "github.com/kamgen/kamgen/runtime/axon"

// C lost the brace that ends its struct: kamgen must say so, not that
// onIn serves no inbox, and must not touch c_kam.go.
type C struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`

func (c *C) onIn(int) {}
