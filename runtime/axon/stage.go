package axon

// Stage is a component with Kamaelia's four standard boxes: "inbox" of I,
// "control", "outbox" of O and "signal". Pipeline and the other chassis link
// stages by these boxes, and the compiler checks that what one stage sends
// is what the next one takes. kamgen generates these methods for any
// component that declares the four boxes.
type Stage[I, O any] interface {
	Part
	StdInbox() *Inbox[I]
	StdControl() *Inbox[Signal]
	StdOutbox() *Outbox[O]
	StdSignal() *Outbox[Signal]
}

// Controlled is a component with a control inbox.
type Controlled interface {
	Part
	StdControl() *Inbox[Signal]
}

// None is the message type of a box that carries nothing: the inbox of a
// source, the outbox of a sink.
type None = struct{}
