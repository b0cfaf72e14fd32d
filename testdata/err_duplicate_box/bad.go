package err_duplicate_box

import "github.com/kamgen/kamgen/runtime/axon"

// C has two inboxes and two outboxes named "data"; an inbox and an outbox
// may share a name (A and X).
type C struct {
	axon.Component
	A axon.Inbox[int]     `inbox:"data"`
	B axon.Inbox[string]  `inbox:"data"`
	X axon.Outbox[int]    `outbox:"data"`
	Y axon.Outbox[string] `outbox:" data"`
}

func (c *C) OnA(int)    {}
func (c *C) OnB(string) {}
