package multicomp

import "github.com/kamgen/kamgen/runtime/axon"

// Line is a named []byte: a component whose standard boxes carry it is a
// Stage but not a ServerCore handler.
type Line []byte

// Bytes is an alias of []byte: it counts as []byte.
type Bytes = []byte

// Config is a plain struct, not a component.
type Config struct {
	Name string `json:"name"`
}

type (
	// Lines has the standard boxes, of Line.
	Lines struct {
		axon.Component
		In      axon.Inbox[Line]         `inbox:"inbox"`
		Control axon.Inbox[axon.Signal]  `inbox:"control"`
		Out     axon.Outbox[Line]        `outbox:"outbox"`
		Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	}

	// Aliased has the standard boxes, of an alias of []byte: it gets the
	// server factories, which fill no field.
	Aliased struct {
		axon.Component
		In      axon.Inbox[Bytes]        `inbox:"inbox"`
		Control axon.Inbox[axon.Signal]  `inbox:"control"`
		Out     axon.Outbox[[]byte]      `outbox:"outbox"`
		Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	}
)

// Conn has connection fields and no box: it is a component with an empty
// dispatch and box table.
type Conn struct {
	axon.Component
	Peer string `kam:"peer"`
	Port int    `kam:"peerport"`
}

// Mixed has the standard boxes with other message types in and out, and
// one more box each way.
type Mixed struct {
	axon.Component
	In      axon.Inbox[string]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	Extra   axon.Inbox[Config]       `inbox:"extra"`
	Log     axon.Outbox[string]      `outbox:"log"`
}

// NoStd has boxes named like the standard ones, but its control carries
// ints: not a Stage.
type NoStd struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[int]          `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
}

func (l *Lines) OnIn(Line)               {}
func (l *Lines) OnControl(axon.Signal)   {}
func (a *Aliased) OnIn([]byte)           {}
func (a *Aliased) OnControl(axon.Signal) {}
func (m *Mixed) OnIn(string)             {}
func (m *Mixed) OnControl(axon.Signal)   {}
func (m *Mixed) OnExtra(Config)          {}
func (n *NoStd) OnIn([]byte)             {}
func (n *NoStd) OnControl(int)           {}
