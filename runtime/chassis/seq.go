package chassis

import (
	"fmt"
	"slices"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Seq runs components one after the other, in sequence: it starts the next
// only when the one before has finished.
//
// # Example usage
//
// Send three greetings, one after the other, to a printer:
//
//	p := chassis.Pipeline2(
//		chassis.NewSeq(NewOneShot("Hello\n"), NewOneShot("Doctor\n"), NewOneShot("Name\n")),
//		NewPrinter(os.Stdout),
//	)
//
// # How does it work?
//
// Each component of the sequence in turn becomes the Seq's child, with the
// Seq's inbox passed through to the child's inbox and the child's outbox
// passed through to the Seq's outbox. When the child finishes, these links
// are removed and the next component takes its place; messages sent to the
// Seq in between wait in its inbox for it.
//
// What a child sends on its signal outbox is dropped, so that a Seq in a
// Pipeline does not stop the stage after it when it moves from one child to
// the next. When the last child has finished, the Seq sends a new
// ProducerFinished on its signal outbox and finishes.
//
// Kamaelia's Seq ignores its control inbox; this one ignores a
// ProducerFinished (the sequence is its own source of work) but honours a
// ShutdownMicroprocess: it passes the message to the current child's
// control, starts no further child, and when the child has finished sends
// that same message on its signal outbox and finishes. A child that fails
// fails the Seq. (Kamaelia's Seq also printed strings found in the
// sequence; a typed sequence holds only components.)
//
// # Inboxes
//
//   - inbox: passed through to the current child's inbox.
//   - control: a ShutdownMicroprocess stops the Seq; anything else is ignored.
//
// # Outboxes
//
//   - outbox: what the current child sends on its outbox.
//   - signal: ProducerFinished at the end of the sequence, or the
//     ShutdownMicroprocess that cut it short.
type Seq[I, O any] struct {
	axon.Component
	In      axon.Inbox[I]            `inbox:"inbox,nohandler"` // passed through to the current child's inbox
	Control axon.Inbox[axon.Signal]  `inbox:"control"`         // a ShutdownMicroprocess stops the Seq
	Out     axon.Outbox[O]           `outbox:"outbox"`         // what the current child sends on its outbox
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`         // ProducerFinished at the end, or the ShutdownMicroprocess

	sequence []axon.Stage[I, O]
	next     int // index of the next component to start
	slot     slot[I, O]
	stop     axon.Signal // the ShutdownMicroprocess received, or nil
}

// NewSeq returns a Seq that runs components one after the other. It panics
// if a component is nil or appears twice.
func NewSeq[I, O any](components ...axon.Stage[I, O]) *Seq[I, O] {
	parts := make([]axon.Part, len(components))
	for i, c := range components {
		if c != nil {
			parts[i] = c
		}
	}
	checkStages("NewSeq", parts...)
	return (&Seq[I, O]{sequence: slices.Clone(components)}).initBoxes()
}

// onStart starts the first component.
func (s *Seq[I, O]) onStart() { s.advance() }

// onControl honours a ShutdownMicroprocess and ignores anything else.
func (s *Seq[I, O]) onControl(sig axon.Signal) {
	if sig == nil || !sig.StopNow() || s.stop != nil {
		return
	}
	s.stop = sig
	if s.slot.busy() {
		s.slot.signal(sig)
	} else {
		s.advance()
	}
}

// onChildDone moves on to the next component.
func (s *Seq[I, O]) onChildDone(child *axon.Component, err error) {
	if !s.slot.holds(child) {
		return
	}
	s.slot.unplug()
	if err != nil {
		s.Fail(fmt.Errorf("chassis: Seq child %d (%s) failed: %w", s.next, child.Name(), err))
		return
	}
	if !s.Stopping() {
		s.advance()
	}
}

// advance starts the next component, or finishes the Seq when there is none
// left or it was told to stop.
func (s *Seq[I, O]) advance() {
	if s.stop != nil || s.next == len(s.sequence) {
		if s.stop != nil {
			s.Signal.Send(s.stop)
		} else {
			s.Signal.Send(&axon.ProducerFinished{Caller: s})
		}
		s.Stop()
		return
	}
	child := s.sequence[s.next]
	s.next++
	if err := s.slot.plug(&s.Component, &s.In, &s.Out, child); err != nil {
		s.Fail(fmt.Errorf("chassis: Seq child %d (%T): %w", s.next, child, err))
	}
}
