package err_no_package

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`
}

func (c *C) onIn(int) {}
