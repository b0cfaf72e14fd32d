package scratch

import (
	"bytes"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Shouter upper-cases lines.
type Shouter struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // lines to shout
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // shutdown signals
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // shouted lines
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // our own stop notice
	Peer    string                   `kam:"peer"`
	count   int
}

func (s *Shouter) OnIn(line []byte)          { s.count++; s.Out.Send(bytes.ToUpper(line)) }
func (s *Shouter) OnControl(sig axon.Signal) { s.Signal.Send(sig); s.Stop() }

// Gen is generic.
type Gen[T any, K comparable] struct {
	axon.Component
	In  axon.Inbox[map[K]T] `inbox:"inbox,cap=8"`
	Out axon.Outbox[[]T]    `outbox:"out"`
}

func (g *Gen[T, K]) OnIn(m map[K]T) error { return nil }

func use() { _ = NewShouter() }
