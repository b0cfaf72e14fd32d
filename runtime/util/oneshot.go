package util

import "github.com/kamgen/kamgen/runtime/axon"

// OneShot sends one message out of its "outbox" as soon as it starts, then
// a ProducerFinished out of its "signal", and finishes. It starts a
// pipeline with a single request, or sends a command to a component once.
//
// Example: send a greeting to a console echoer:
//
//	shot := util.NewOneShot("hello, world\n")
//	echo := util.NewConsoleEchoer[string]()
//	axon.Link(&shot.Out, &echo.In)
//	axon.Link(&shot.Signal, &echo.Control)
//	err := axon.Run(ctx, shot, echo)
//
// # How does it work?
//
// In its first turn it sends Msg on "outbox" and a new ProducerFinished
// (whose Caller is the OneShot) on "signal", then stops. Like Kamaelia's, it
// ignores "control": it never waits for anything, so there is nothing to
// interrupt. It is reactive and holds no goroutine. To send a message when
// something happens rather than at once, use TriggeredOneShot.
type OneShot[T any] struct {
	axon.Component
	In      axon.Inbox[axon.None]    `inbox:"inbox,nohandler"`   // not used
	Control axon.Inbox[axon.Signal]  `inbox:"control,nohandler"` // not used
	Out     axon.Outbox[T]           `outbox:"outbox"`           // Msg, once
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`           // ProducerFinished once Msg was sent

	// Msg is the message to send.
	Msg T
}

var _ axon.Stage[axon.None, string] = (*OneShot[string])(nil)

// NewOneShot returns a OneShot that will send msg.
func NewOneShot[T any](msg T) *OneShot[T] {
	o := &OneShot[T]{Msg: msg}
	o.initBoxes()
	return o
}

// onStart sends Msg and the ProducerFinished, and stops.
func (o *OneShot[T]) onStart() {
	o.Out.Send(o.Msg)
	o.Signal.Send(&axon.ProducerFinished{Caller: o})
	o.Stop()
}
