package main

import "github.com/kamgen/kamgen/runtime/axon"

// Reply is what OneShot puts before the message it answers, as the
// cookbook's example 4 spells it (no space after the colon).
const Reply = "You sent the message:"

// OneShot waits for one message from its client, answers it, and closes
// the connection: the cookbook's example 4, a protocol in the manner of
// finger. The message is the first chunk of bytes that arrives, as the
// network delivers it.
type OneShot struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // the client's message
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the client left before sending anything
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // the answer
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn answers the message, asks for the connection to be closed once the
// answer has been written, and ends. Stop makes the runtime keep any
// further message from this handler.
func (o *OneShot) OnIn(msg []byte) {
	o.Out.Send(append([]byte(Reply), msg...))
	o.Signal.Send(&axon.ShutdownMicroprocess{})
	o.Stop()
}

// OnControl ends: the connection closed before a message came.
func (o *OneShot) OnControl(sig axon.Signal) {
	o.Signal.Send(sig)
	o.Stop()
}
