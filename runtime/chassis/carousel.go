package chassis

import (
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// NextRequest is what a Carousel sends on its requestNext outbox to ask for
// the argument of its next child: Kamaelia's "NEXT".
const NextRequest = "NEXT"

// Carousel makes child components one at a time, from a factory, and lets
// each get on with it, replacing it when it finishes or when asked to. It
// is named after a broadcast carousel, where programmes are played one after
// another, often in a loop.
//
// It gives reuse to components that are not reusable themselves and
// normally come to a halt: a carousel of file readers reads one file after
// another, a new reader for each file name sent to its next inbox.
//
// # Example usage
//
// A reusable file reader: each file name sent to "next" is read, its
// contents coming out of the carousel's outbox.
//
//	readers := chassis.NewCarousel(func(name string) axon.Stage[axon.None, []byte] {
//		return NewFileReader(name)
//	}, false)
//
// With makeFirstRequest true the carousel sends NextRequest ("NEXT") as soon
// as it starts, for a source of arguments that waits to be asked, such as a
// chooser: a carousel and a chooser together play a list of items one after
// the other.
//
// # How does it work?
//
// Each message on "next" is an argument for the factory. The child it makes
// is wired with the carousel's inbox passed through to the child's inbox,
// the carousel's private outbox to the child's control, and the child's
// outbox passed through to the carousel's outbox; then it is started. The
// child's signal is ignored. Messages sent to the carousel's inbox while it
// has no child wait there for the next one.
//
// When the child finishes, its links are removed and the carousel sends
// NextRequest on "requestNext", unless a message is already waiting on
// "next" or the carousel is stopping. A message on "next" while a child is
// running first makes the carousel send a ShutdownMicroprocess to the
// child's control; the next child is made only once that one has finished.
//
// A signal on "control" stops the carousel:
//
//   - A ProducerFinished (StopNow false) lets it finish what is queued: the
//     arguments waiting on "next" are made into children, one after another,
//     as above; then the message is passed to the last child's control, and
//     when that child has finished the carousel sends the same message on
//     "signal" and finishes.
//   - A ShutdownMicroprocess (StopNow true) discards the arguments waiting on
//     "next", passes the message to the child's control, waits for the child
//     to finish, sends the same message on "signal" and finishes. A
//     ShutdownMicroprocess received while a ProducerFinished is being
//     honoured takes over from it.
//
// With no child, it finishes at once, sending the message on "signal".
// Other signals after the first are ignored. A child that fails, or a
// factory that returns nil, fails the carousel.
//
// # Inboxes
//
//   - inbox: passed through to the current child's inbox.
//   - next: arguments for the factory: one new child each.
//   - control: ProducerFinished or ShutdownMicroprocess to stop.
//
// # Outboxes
//
//   - outbox: what the current child sends on its outbox.
//   - signal: the control signal that stopped the carousel.
//   - requestNext: NextRequest ("NEXT"), asking for the next argument.
type Carousel[M, I, O any] struct {
	axon.Component
	In          axon.Inbox[I]            `inbox:"inbox,nohandler"` // passed through to the current child's inbox
	Next        axon.Inbox[M]            `inbox:"next,nohandler"`  // arguments for the factory: one new child each
	Control     axon.Inbox[axon.Signal]  `inbox:"control"`         // ProducerFinished or ShutdownMicroprocess to stop
	Out         axon.Outbox[O]           `outbox:"outbox"`         // what the current child sends on its outbox
	Signal      axon.Outbox[axon.Signal] `outbox:"signal"`         // the control signal that stopped the carousel
	RequestNext axon.Outbox[string]      `outbox:"requestNext"`    // NextRequest ("NEXT"), asking for the next argument

	factory   func(M) axon.Stage[I, O]
	firstReq  bool
	slot      slot[I, O]
	stop      axon.Signal // the control signal being honoured, or nil
	stopSent  bool        // stop has been passed to the current child
	replacing bool        // the current child was asked to make way for the next
	made      int         // how many children the factory made, for error messages
}

// NewCarousel returns a Carousel whose children factory makes, one for each
// message on the "next" inbox. With makeFirstRequest it sends NextRequest as
// soon as it starts.
func NewCarousel[M, I, O any](factory func(M) axon.Stage[I, O], makeFirstRequest bool) *Carousel[M, I, O] {
	return (&Carousel[M, I, O]{factory: factory, firstReq: makeFirstRequest}).initBoxes()
}

// onStart sends the first request, if the carousel was made to.
func (c *Carousel[M, I, O]) onStart() {
	if c.firstReq {
		c.RequestNext.Send(NextRequest)
	}
}

// onControl takes a control signal; onTurnEnd acts on it.
func (c *Carousel[M, I, O]) onControl(sig axon.Signal) {
	switch {
	case sig == nil:
	case c.stop == nil:
		c.stop = sig
	case sig.StopNow() && !c.stop.StopNow():
		// Stop now, rather than after the queue: the child must hear it too.
		c.stop, c.stopSent = sig, false
	}
}

// onTurnEnd does, once per turn and after the control signals were taken,
// whatever the carousel's state calls for. The "next" inbox has no handler:
// advance reads it, one argument at a time, only when the carousel is ready
// for a new child, so what waits there is the queue of children to come.
//
// The runtime calls onTurnEnd only when nothing the carousel sent is waiting
// for room, and not once it is stopping; advance would do nothing then
// either. A turn that finds something waiting for room is followed by
// another when there is room.
func (c *Carousel[M, I, O]) onTurnEnd() { c.advance() }

// advance moves the carousel on as far as it can without waiting.
func (c *Carousel[M, I, O]) advance() {
	for !c.Stopping() {
		if c.stop != nil && c.stop.StopNow() {
			c.discardNexts()
		}
		if c.slot.busy() {
			switch {
			case c.Next.Len() > 0:
				// A child is wanted next: this one must make way first.
				if !c.replacing {
					c.replacing = true
					c.slot.signal(&axon.ShutdownMicroprocess{Targets: []any{c}})
				}
			case c.stop != nil && !c.stopSent:
				c.stopSent = true
				c.slot.signal(c.stop)
			}
			return // the child's end wakes the carousel
		}
		if arg, ok := c.Next.TryRecv(); ok {
			if !c.makeChild(arg) {
				return
			}
			continue
		}
		if c.stop != nil {
			c.Signal.Send(c.stop)
			c.Stop()
		}
		return
	}
}

func (c *Carousel[M, I, O]) discardNexts() {
	for {
		if _, ok := c.Next.TryRecv(); !ok {
			return
		}
	}
}

// makeChild makes, wires and starts the child for arg. It reports false,
// having failed the carousel, if that went wrong.
func (c *Carousel[M, I, O]) makeChild(arg M) bool {
	c.made++
	child := c.factory(arg)
	if child == nil || child.Base() == nil {
		c.Fail(fmt.Errorf("chassis: Carousel child %d: %w", c.made, errNilChild))
		return false
	}
	c.replacing, c.stopSent = false, false
	if err := c.slot.plug(&c.Component, &c.In, &c.Out, child); err != nil {
		c.Fail(fmt.Errorf("chassis: Carousel child %d (%T): %w", c.made, child, err))
		return false
	}
	return true
}

// onChildDone unplugs the finished child and asks for the next one, unless
// one is already waiting or the carousel is stopping.
func (c *Carousel[M, I, O]) onChildDone(child *axon.Component, err error) {
	if !c.slot.holds(child) {
		return
	}
	c.slot.unplug()
	if err != nil {
		c.Fail(fmt.Errorf("chassis: Carousel child %s failed: %w", child.Name(), err))
		return
	}
	if c.Next.Len() == 0 && c.stop == nil && !c.Stopping() {
		c.RequestNext.Send(NextRequest)
	}
}
