package chassis

import (
	"errors"

	"github.com/kamgen/kamgen/runtime/axon"
)

// slot holds the one current child of a Carousel or a Seq: wired by
// passthrough to the container's inbox and outbox, with a private outbox of
// the container linked to the child's control. The child's signal is not
// linked: what it sends there stays in its outbox.
//
// It is used only from the container's own turns.
type slot[I, O any] struct {
	child axon.Stage[I, O]
	// ctl is the container's outbox to the child's control ("_signal" in
	// Kamaelia). Each child gets a new one: a signal still held for an old
	// child (its control was full) must never reach the next child.
	ctl   *axon.Outbox[axon.Signal]
	links []*axon.Linkage
}

// plug links child into the container c (inbox in, outbox out) and starts
// it. On failure nothing stays linked and the slot stays empty.
func (s *slot[I, O]) plug(c *axon.Component, in *axon.Inbox[I], out *axon.Outbox[O], child axon.Stage[I, O]) error {
	s.ctl = axon.NewOutbox[axon.Signal](c, "_signal", 0)
	for _, w := range []axon.Wiring{
		axon.WireIn(in, child.StdInbox()),
		axon.Wire(s.ctl, child.StdControl()),
		axon.WireOut(child.StdOutbox(), out),
	} {
		l, err := w.Link()
		if err != nil {
			s.unplug()
			return err
		}
		s.links = append(s.links, l)
	}
	if err := c.Start(child); err != nil {
		s.unplug()
		return err
	}
	s.child = child
	return nil
}

// holds reports whether the slot's child is the component x.
func (s *slot[I, O]) holds(x *axon.Component) bool {
	return s.child != nil && s.child.Base() == x
}

// busy reports whether a child is plugged in.
func (s *slot[I, O]) busy() bool { return s.child != nil }

// signal sends sig to the child's control, without loss: if the control is
// full, the container holds it (and takes no new messages) until there is
// room.
func (s *slot[I, O]) signal(sig axon.Signal) {
	if s.ctl != nil {
		s.ctl.Send(sig)
	}
}

// unplug removes the child's links and empties the slot. Messages sent to
// the container's inbox from now on wait there for the next child.
func (s *slot[I, O]) unplug() {
	for _, l := range s.links {
		l.Unlink()
	}
	s.links, s.ctl, s.child = nil, nil, nil
}

// errNilChild reports a factory that made no child.
var errNilChild = errors.New("chassis: the factory returned a nil component")
