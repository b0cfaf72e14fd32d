package err_many

import "github.com/kamgen/kamgen/runtime/axon"

// Every mistake is reported, in every component and file, in file and
// line order: not only the first.

// Alias is an alias of a struct with boxes, not a defined type.
type Alias = struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

type First struct {
	axon.Component
	A     axon.Inbox[int]  `inbox:"a,fast"`
	B     axon.Inbox[int]  `inbox:""`
	C     axon.Outbox[int] `outbox:"c,cap=0"`
	D     axon.Outbox[int] `outbox:"d,last"`
	E     axon.Inbox[int]  `inbox:"e"`
	F     axon.Inbox[int]  `inbox:"e"`
	Peer  string           `kam:"peer"`
	Peer2 string           `kam:"peer"`
	Port  string           `kam:"peerport"`
	X     string           `kam:"x"`
}

func (f *First) OnG(int) {}
