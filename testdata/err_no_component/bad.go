package err_no_component

import "github.com/kamgen/kamgen/runtime/axon"

// Bare embeds nothing.
type Bare struct {
	In axon.Inbox[int] `inbox:"in"`
}

func (b *Bare) OnIn(int) {}

// Ptr embeds *axon.Component.
type Ptr struct {
	*axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}

// Named has a field named Component, not embedded.
type Named struct {
	Component axon.Component
	Peer      string `kam:"peer"`
}

// Base embeds axon.Component, and Deep embeds Base: axon.Component must be
// embedded directly.
type Base struct{ axon.Component }

type Deep struct {
	Base
	Out axon.Outbox[int] `outbox:"out"`
}
