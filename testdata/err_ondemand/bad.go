package err_ondemand

import "github.com/kamgen/kamgen/runtime/axon"

// C declares boxes made on demand wrongly.
type C struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`
}

func (c *C) OnIn(int) {}

// NoName names no box.
//
//kam:inbox
func (c *C) NoName() *axon.Inbox[int] { return nil }

// Value returns a box, not a pointer to one.
//
//kam:inbox value
func (c *C) Value() axon.Inbox[int] { return axon.Inbox[int]{} }

// Wrong returns an outbox for an inbox.
//
//kam:inbox wrong
func (c *C) Wrong() *axon.Outbox[int] { return nil }

// Args takes an argument.
//
//kam:outbox args
func (c *C) Args(n int) *axon.Outbox[int] { return nil }

// Dup has the name of a field's box.
//
//kam:inbox inbox
func (c *C) Dup() *axon.Inbox[int] { return nil }

// Comma puts options where only a name goes.
//
//kam:outbox done,cap=4
func (c *C) Comma() *axon.Outbox[int] { return nil }
