package err_tag_not_a_box

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	Name  string                `inbox:"name"`
	Ch    chan int              `outbox:"ch"`
	Two   axon.Inbox[int]       `inbox:"two" outbox:"two"`
	Other axon.Inbox[int]       `inbox:"other"`
	Slice []axon.Outbox[string] `outbox:"slice"`
}

func (c *C) OnOther(int) {}
