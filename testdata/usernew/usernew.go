package usernew

import "github.com/kamgen/kamgen/runtime/axon"

// Plain declares its own constructor, with no arguments: kamgen generates
// no NewPlain, and its server factories call the user's.
type Plain struct {
	axon.Component
	In       axon.Inbox[[]byte]       `inbox:"inbox"`
	Control  axon.Inbox[axon.Signal]  `inbox:"control"`
	Out      axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal   axon.Outbox[axon.Signal] `outbox:"signal"`
	Peer     string                   `kam:"peer"`
	greeting string
}

func NewPlain() *Plain {
	p := &Plain{greeting: "hello"}
	return p.initBoxes()
}

func (p *Plain) OnIn([]byte)           {}
func (p *Plain) OnControl(axon.Signal) {}

// Configured's constructor takes arguments: kamgen generates SetConn but
// no factories, so the user writes the factory ServerCore needs.
type Configured struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	Port    int                      `kam:"localport"`
	prefix  string
}

func NewConfigured(prefix string) *Configured {
	return (&Configured{prefix: prefix}).initBoxes()
}

func ConfiguredForServerCore(peer string, peerport int, localip string, localport int) axon.Stage[[]byte, []byte] {
	c := NewConfigured("> ")
	c.SetConn(peer, peerport, localip, localport)
	return c
}

func (c *Configured) OnIn([]byte)           {}
func (c *Configured) OnControl(axon.Signal) {}

// Gen is generic, with a constructor of its own.
type Gen[T any] struct {
	axon.Component
	Out  axon.Outbox[T] `outbox:"out"`
	zero T
}

func NewGen[T any](zero T) *Gen[T] {
	return (&Gen[T]{zero: zero}).initBoxes()
}
