package passon

import "github.com/kamgen/kamgen/runtime/axon"

// Relay has no handler for its control inbox: the dispatch passes each
// signal on through "signal" and stops it.
type Relay struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Done    axon.Outbox[axon.Signal] `outbox:"signal"`
}

func (r *Relay) onIn(b []byte) { r.Out.Send(b) }

// Gen is generic, and its signal outbox is not the last field.
type Gen[T any] struct {
	axon.Component
	Sig     axon.Outbox[axon.Signal] `outbox:"signal"`
	In      axon.Inbox[T]            `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
}

func (g *Gen[T]) onIn(T) {}
