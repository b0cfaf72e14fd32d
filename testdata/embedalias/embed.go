package embedalias

import "github.com/kamgen/kamgen/runtime/axon"

// Base is axon.Component under another name. A component that embeds it
// embeds axon.Component, in a field named Base.
type Base = axon.Component

type Aliased struct {
	Base
	In  axon.Inbox[int]  `inbox:"in"`
	Out axon.Outbox[int] `outbox:"out"`
}

func (a *Aliased) OnIn(n int) { a.Out.Send(n) }
