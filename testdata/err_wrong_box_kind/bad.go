package err_wrong_box_kind

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In  axon.Outbox[int] `inbox:"in"`
	Out axon.Inbox[int]  `outbox:"out"`
}
