package basic

import (
	"bytes"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Shouter upper-cases each line it is sent: a reactive component with the
// four standard boxes carrying []byte, so it gets the Std accessors and the
// ServerCore and SimpleServer factories, which fill its kam fields.
type Shouter struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // lines to shout
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // shutdown signals
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // shouted lines
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // our own stop notice

	// The connection, filled by the ServerCore factory.
	Peer      string `kam:"peer"`
	PeerPort  int    `kam:"peerport"`
	LocalIP   string `kam:"localip"`
	LocalPort int    `kam:"localport"`

	count int // lines shouted so far
}

func (s *Shouter) OnIn(line []byte) {
	s.count++
	s.Out.Send(bytes.ToUpper(line))
}

func (s *Shouter) OnControl(sig axon.Signal) {
	s.Signal.Send(sig)
	s.Stop()
}

// Hooks the runtime calls are not handlers.
func (s *Shouter) OnStart() {}
func (s *Shouter) OnStop()  {}
