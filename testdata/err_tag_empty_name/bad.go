package err_tag_empty_name

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	A axon.Inbox[int]  `inbox:""`
	B axon.Inbox[int]  `inbox:" ,cap=2"`
	C axon.Outbox[int] `outbox:",cap=2"`
	D axon.Outbox[int] `outbox:"a b"`
}

func (c *C) OnA(int) {}
func (c *C) OnB(int) {}
