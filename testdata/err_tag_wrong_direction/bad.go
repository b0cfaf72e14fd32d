package err_tag_wrong_direction

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	Late  axon.Outbox[int] `outbox:"late,last"`
	Quiet axon.Outbox[int] `outbox:"quiet,nohandler"`
	In    axon.Inbox[int]  `inbox:"in,last=true"`
	Empty axon.Inbox[int]  `inbox:"empty,,last"`
}

func (c *C) OnIn(int)    {}
func (c *C) OnEmpty(int) {}
