package err_pointer_box

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In    *axon.Inbox[int]  `inbox:"in"`
	Out   *axon.Outbox[int] `outbox:"out"`
	Mixed *axon.Outbox[int] `inbox:"mixed"`
}
