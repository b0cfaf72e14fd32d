package err_many

import "github.com/kamgen/kamgen/runtime/axon"

type Second struct {
	In  *axon.Inbox[int]    `inbox:"in"`
	Out axon.Inbox[int]     `outbox:"out"`
	Bad axon.Inbox[Missing] `inbox:"bad"`
}

func (s *Second) Main() {}

type Third struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (t *Third) OnIn(int) {}

func NewThird() *Third { return nil }

func local() {
	type L struct {
		axon.Component
		P string `kam:"peer"`
	}
}
