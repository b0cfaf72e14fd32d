package err_handler_no_inbox

import "github.com/kamgen/kamgen/runtime/axon"

// C has methods named like handlers of inboxes it does not have: a
// misspelt one, one of an outbox, and one of an untagged inbox field.
type C struct {
	axon.Component
	Input axon.Inbox[int]  `inbox:"input"`
	Out   axon.Outbox[int] `outbox:"out"`
	Spare axon.Inbox[int]
}

func (c *C) OnInput(int) {}
func (c *C) OnInptu(int) {}
func (c *C) OnOut(int)   {}
func (c *C) OnSpare(int) {}
