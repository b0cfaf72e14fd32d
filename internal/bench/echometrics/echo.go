package main

import "github.com/kamgen/kamgen/runtime/axon"

// Echo sends back every byte it receives, and ends when its connection
// does: examples/echo's handler.
type Echo struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // bytes from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // the same bytes, back
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn sends the bytes back.
func (e *Echo) OnIn(b []byte) { e.Out.Send(b) }

// OnControl closes the connection (after every reply was written) and ends.
func (e *Echo) OnControl(sig axon.Signal) {
	e.Signal.Send(sig)
	e.Stop()
}
