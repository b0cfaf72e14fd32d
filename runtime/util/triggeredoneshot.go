package util

import "github.com/kamgen/kamgen/runtime/axon"

// TriggeredOneShot waits for a message on its "inbox", then sends its own
// message out of its "outbox", then a ProducerFinished out of its "signal",
// and finishes. It turns "something happened" into one fixed message.
//
// Example: say goodbye once a connection is ready (connected is any
// Outbox[bool]):
//
//	bye := util.NewTriggeredOneShot[bool]([]byte("goodbye\n"))
//	axon.Link(connected, &bye.In)
//	axon.Link(&bye.Out, &client.In)
//
// # How does it work?
//
// The first message on "inbox", whatever it is, triggers it: it sends Msg on
// "outbox" and a new ProducerFinished (whose Caller is the TriggeredOneShot)
// on "signal", and stops; later triggers are ignored. Its trigger type I and
// its message type O are independent, so it can sit in a typed pipeline
// between any two components.
//
// Until it is triggered it listens to "control": any signal (the producer
// before it finished, or a shutdown) is forwarded on "signal" and stops it
// without sending Msg, since no trigger can come any more. A trigger that
// arrived before the signal is handled first.
type TriggeredOneShot[I, O any] struct {
	axon.Component
	In      axon.Inbox[I]            `inbox:"inbox"`   // any message triggers it
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops it untriggered and is forwarded
	Out     axon.Outbox[O]           `outbox:"outbox"` // Msg, once triggered
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // ProducerFinished after Msg, or the forwarded signal

	// Msg is the message to send once triggered.
	Msg O
}

var _ axon.Stage[int, string] = (*TriggeredOneShot[int, string])(nil)

// NewTriggeredOneShot returns a TriggeredOneShot that will send msg when a
// message of type I arrives. I must be given; O follows from msg:
// NewTriggeredOneShot[[]byte]("go").
func NewTriggeredOneShot[I, O any](msg O) *TriggeredOneShot[I, O] {
	o := &TriggeredOneShot[I, O]{Msg: msg}
	o.initBoxes()
	return o
}

// onIn fires: sends Msg, then a ProducerFinished, and finishes.
func (o *TriggeredOneShot[I, O]) onIn(I) {
	o.Out.Send(o.Msg)
	o.Signal.Send(&axon.ProducerFinished{Caller: o})
	o.Stop()
}
