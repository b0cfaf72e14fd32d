package err_tag_unknown_option

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In  axon.Inbox[int]  `inbox:"in,fast"`
	Out axon.Outbox[int] `outbox:"out,capacity=4"`
}

func (c *C) OnIn(int) {}
