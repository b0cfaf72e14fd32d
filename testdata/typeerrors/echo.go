package typeerrors

import "github.com/kamgen/kamgen/runtime/axon"

// Echo sends back what it gets.
type Echo struct {
	axon.Component
	In      axon.Inbox[string]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[string]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
}

func (e *Echo) OnIn(s string)             { e.Out.Send(s) }
func (e *Echo) OnControl(sig axon.Signal) { e.Signal.Send(sig); e.Stop() }
