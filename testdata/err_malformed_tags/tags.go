package err_malformed_tags

import "github.com/kamgen/kamgen/runtime/axon"

// Boxes whose tags Go cannot read would silently be no boxes.
type C struct {
	axon.Component
	A axon.Inbox[int]  `inbox:j`
	B axon.Inbox[int]  `inbox: "l"`
	D axon.Inbox[int]  `INBOX:"v"`
	E axon.Outbox[int] `outbox:'x'`
	F axon.Outbox[int] `json:"inbox" doc:"kam: not a key"`
}

// Only malformed tags: still reported, though C2 is then no component.
type C2 struct {
	axon.Component
	A axon.Inbox[int] `kam:peer`
}
