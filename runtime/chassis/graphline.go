package chassis

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Errors reported by Graphline.Wire (and, for a Graphline that was never
// wired, when it starts). Test them with errors.Is; the full message names
// the wiring and the box at fault.
var (
	// ErrForeignBox reports a wiring that names a box of a component that is
	// neither the Graphline nor one of its children. (Kamaelia took any
	// unknown component name to mean the Graphline itself, silently: §12 L6.)
	ErrForeignBox = errors.New("chassis: box belongs to neither the Graphline nor one of its children")
	// ErrSelfWiring reports a wiring that uses the Graphline's own boxes the
	// wrong way round: its inboxes can only be passed through to a child
	// (axon.WireIn), and only a child's outbox can be passed through to its
	// outboxes (axon.WireOut).
	ErrSelfWiring = errors.New("chassis: wiring uses the Graphline's own boxes the wrong way")
	// ErrStarted reports a wiring added after the Graphline started: its
	// links are made when it first runs.
	ErrStarted = errors.New("chassis: Graphline already started: wire it before activating it")
	// ErrBadChild reports a child that is nil, listed twice, or the
	// Graphline itself.
	ErrBadChild = errors.New("chassis: bad Graphline child")
)

// Graphline joins components in any shape, not just a line: its children
// and a list of wirings, each a typed link between two of their boxes, or
// between one of their boxes and one of the Graphline's own. The Graphline
// is a stage itself, with the four standard boxes, so it can be a stage of a
// Pipeline or a child of another Graphline.
//
// # Example usage
//
// A client whose replies go both to the console and to a log:
//
//	g := chassis.NewGraphline[[]byte, []byte](client, split, console, logger)
//	err := g.Wire(
//		axon.WireIn(&g.In, &client.In),
//		axon.Wire(&client.Out, &split.In),
//		axon.Wire(&split.Out, &console.In),
//		axon.Wire(&split.Copy, &logger.In),
//		axon.WireOut(&console.Out, &g.Out),
//	)
//
// Wire checks every wiring at once: each box must belong to a child or to
// the Graphline, the Graphline's inboxes can only be passed through to a
// child and only a child's outbox to the Graphline's outboxes, and no box may
// be the source of two wirings. A Graphline needs no wirings at all; it can
// hold no children too (it then finishes as soon as it runs). Boxes beyond
// the standard four can be given to a Graphline with axon.NewInbox and
// axon.NewOutbox, owned by its Component, and wired like the others
// (Kamaelia created such boxes from their names).
//
// # How does it work?
//
// When the Graphline first runs it makes the wirings' links, which it owns
// (they are removed when it finishes), then starts all its children, wired
// or not. It finishes when every child has finished.
//
// Shutdown follows Kamaelia's rules:
//
//   - If the Graphline's control inbox is not the source of a wiring, the
//     Graphline passes every signal it receives there, the same object, to
//     the control inbox of each running child (every child with a control
//     inbox: axon.Controlled) that is not the sink of a wiring. It delivers
//     through an outbox of its own linked to each such child, so a signal
//     is never lost: when a child's control is full the Graphline holds the
//     signal, and reads no further signal, until there is room. It
//     remembers the last ShutdownMicroprocess (StopNow true) it passed on.
//   - When every child has finished, if the Graphline's signal outbox is not
//     the sink of a wiring, the Graphline sends the ShutdownMicroprocess it
//     remembered, the very same object, or else a new ProducerFinished.
//
// If the control inbox or the signal outbox is wired, that side of the
// shutdown is the user's, and the Graphline stays out of it. A child that
// fails fails the Graphline.
//
// # Inboxes
//
//   - inbox: unless wired, messages wait here unread.
//   - control: unless wired, signals for the children.
//
// # Outboxes
//
//   - outbox: unless wired, nothing is sent.
//   - signal: unless wired, how the Graphline ended, once all its children
//     have.
type Graphline[I, O any] struct {
	axon.Component
	In      axon.Inbox[I]            `inbox:"inbox,nohandler"` // wire it to a child with axon.WireIn
	Control axon.Inbox[axon.Signal]  `inbox:"control"`         // signals for the children, unless wired
	Out     axon.Outbox[O]           `outbox:"outbox"`         // wire a child to it with axon.WireOut
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`         // how the Graphline ended, unless wired

	parts   []axon.Part
	partErr error // what is wrong with parts: reported by Wire and at start

	mu      sync.Mutex // guards what follows
	wirings []axon.Wiring
	started bool

	// Used only in the Graphline's own turns.
	userControl bool // the control inbox is wired: signals are not ours
	userSignal  bool // the signal outbox is wired: the end is not ours to tell
	forward     []forward
	shutdown    axon.Signal // the last ShutdownMicroprocess passed on
}

// forward is the Graphline's private link to one child's control inbox.
type forward struct {
	child *axon.Component
	out   *axon.Outbox[axon.Signal]
	link  *axon.Linkage
}

// NewGraphline returns a Graphline of children, to be wired with Wire
// before it is activated. I and O are the message types of its own inbox and
// outbox.
func NewGraphline[I, O any](children ...axon.Part) *Graphline[I, O] {
	g := (&Graphline[I, O]{parts: slices.Clone(children)}).initBoxes()
	g.partErr = g.checkParts()
	return g
}

func (g *Graphline[I, O]) checkParts() error {
	var errs []error
	seen := make(map[*axon.Component]int, len(g.parts))
	for i, p := range g.parts {
		switch {
		case p == nil || p.Base() == nil:
			errs = append(errs, fmt.Errorf("%w: child %d is nil", ErrBadChild, i))
		case p.Base() == &g.Component:
			errs = append(errs, fmt.Errorf("%w: child %d is the Graphline itself", ErrBadChild, i))
		default:
			if j, dup := seen[p.Base()]; dup {
				errs = append(errs, fmt.Errorf("%w: children %d and %d are the same component (%T)", ErrBadChild, j, i, p))
			}
			seen[p.Base()] = i
		}
	}
	return errors.Join(errs...)
}

// Wire adds wirings to the Graphline. It checks them all, with those added
// before, and adds none if any is wrong: it then returns every problem found,
// each wrapping ErrForeignBox, ErrSelfWiring or axon.ErrAlreadyLinked (two
// wirings from one box), or ErrBadChild for a bad child. Wire must be called
// before the Graphline is activated; afterwards it returns ErrStarted.
func (g *Graphline[I, O]) Wire(wirings ...axon.Wiring) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		return ErrStarted
	}
	if err := errors.Join(g.partErr, g.checkWirings(wirings)); err != nil {
		return err
	}
	g.wirings = append(g.wirings, wirings...)
	return nil
}

// checkWirings checks ws against the wirings already added. g.mu is held.
func (g *Graphline[I, O]) checkWirings(ws []axon.Wiring) error {
	var errs []error
	sources := make(map[axon.BoxRef]int, len(g.wirings)+len(ws))
	for i, w := range g.wirings {
		sources[w.Source()] = i
	}
	for k, w := range ws {
		i := len(g.wirings) + k
		src, dst := w.Source(), w.Sink()
		if src == nil || dst == nil {
			errs = append(errs, fmt.Errorf("chassis: Graphline wiring %d is empty: build it with axon.Wire, axon.WireIn or axon.WireOut", i))
			continue
		}
		srcSelf, dstSelf := src.Owner() == &g.Component, dst.Owner() == &g.Component
		if !srcSelf && g.childIndex(src.Owner()) < 0 {
			errs = append(errs, fmt.Errorf("%w: wiring %d: its source is %s", ErrForeignBox, i, g.describe(src)))
		}
		if !dstSelf && g.childIndex(dst.Owner()) < 0 {
			errs = append(errs, fmt.Errorf("%w: wiring %d: its sink is %s", ErrForeignBox, i, g.describe(dst)))
		}
		switch {
		case srcSelf && dstSelf:
			errs = append(errs, fmt.Errorf("%w: wiring %d links the Graphline's %s to its own %s", ErrSelfWiring, i, boxName(src), boxName(dst)))
		case srcSelf && src.Dir() != axon.In:
			errs = append(errs, fmt.Errorf("%w: wiring %d: the Graphline's %s can only be the sink of a wiring (axon.WireOut from a child)", ErrSelfWiring, i, boxName(src)))
		case dstSelf && dst.Dir() != axon.Out:
			errs = append(errs, fmt.Errorf("%w: wiring %d: the Graphline's %s can only be the source of a wiring (axon.WireIn to a child)", ErrSelfWiring, i, boxName(dst)))
		}
		if j, dup := sources[src]; dup {
			errs = append(errs, fmt.Errorf("%w: wirings %d and %d both start from %s", axon.ErrAlreadyLinked, j, i, g.describe(src)))
		} else {
			sources[src] = i
		}
	}
	return errors.Join(errs...)
}

// childIndex returns the index of the child whose component is c, or -1.
func (g *Graphline[I, O]) childIndex(c *axon.Component) int {
	if c == nil {
		return -1
	}
	return slices.IndexFunc(g.parts, func(p axon.Part) bool { return p != nil && p.Base() == c })
}

// describe names a box and its owner for an error message.
func (g *Graphline[I, O]) describe(b axon.BoxRef) string {
	owner := b.Owner()
	switch i := g.childIndex(owner); {
	case owner == nil:
		return fmt.Sprintf("%s, not initialized", boxName(b))
	case owner == &g.Component:
		return fmt.Sprintf("the Graphline's %s", boxName(b))
	case i >= 0:
		return fmt.Sprintf("%s of child %d (%T)", boxName(b), i, g.parts[i])
	case owner.ID() != 0:
		return fmt.Sprintf("%s of %s, which is not in the Graphline", boxName(b), owner.Name())
	default:
		return fmt.Sprintf("%s of a component that is not in the Graphline", boxName(b))
	}
}

func boxName(b axon.BoxRef) string { return fmt.Sprintf("%s %q", b.Dir(), b.Name()) }

// refIn and refOut return a box as a Wiring's Source and Sink report it, so
// that it can be compared with them.
func refIn[T any](in *axon.Inbox[T]) axon.BoxRef    { return axon.WireIn(in, in).Sink() }
func refOut[T any](out *axon.Outbox[T]) axon.BoxRef { return axon.WireOut(out, out).Source() }

// Parts returns the Graphline's children, in the order given.
func (g *Graphline[I, O]) Parts() []axon.Part { return slices.Clone(g.parts) }

// Wirings returns the wirings added so far.
func (g *Graphline[I, O]) Wirings() []axon.Wiring {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.wirings)
}

// onStart makes the links and starts the children, in the Graphline's first
// turn.
func (g *Graphline[I, O]) onStart() {
	g.mu.Lock()
	g.started = true
	wirings := slices.Clone(g.wirings)
	g.mu.Unlock()
	if g.partErr != nil {
		g.Fail(g.partErr)
		return
	}

	control, signal := refIn(&g.Control), refOut(&g.Signal)
	wiredInto := make(map[axon.BoxRef]bool, len(wirings))
	for _, w := range wirings {
		g.userControl = g.userControl || w.Source() == control
		g.userSignal = g.userSignal || w.Sink() == signal
		wiredInto[w.Sink()] = true
	}
	if !g.userControl {
		for _, p := range g.parts {
			c, ok := p.(axon.Controlled)
			if !ok || wiredInto[refIn(c.StdControl())] {
				continue
			}
			out := axon.NewOutbox[axon.Signal](&g.Component, "_cs", 0)
			l, err := axon.Link(out, c.StdControl())
			if err != nil {
				g.Fail(fmt.Errorf("chassis: Graphline: %w", err))
				return
			}
			g.Own(l)
			g.forward = append(g.forward, forward{child: p.Base(), out: out, link: l})
		}
	}
	for i, w := range wirings {
		l, err := w.Link()
		if err != nil {
			g.Fail(fmt.Errorf("chassis: Graphline wiring %d: %w", i, err))
			return
		}
		g.Own(l)
	}
	if len(g.parts) == 0 {
		g.end()
		return
	}
	if err := g.Start(g.parts...); err != nil {
		g.Fail(fmt.Errorf("chassis: Graphline: %w", err))
	}
}

// onControl passes a control signal on to the children. When the control
// inbox is wired (userControl), it is linked onward from the Graphline's
// first turn, before any dispatch, and holds nothing for this handler.
func (g *Graphline[I, O]) onControl(sig axon.Signal) {
	if sig != nil && sig.StopNow() {
		g.shutdown = sig
	}
	for _, f := range g.forward {
		f.out.Send(sig)
	}
}

// onChildDone stops passing signals to a child that has finished, and ends
// the Graphline when it was the last.
func (g *Graphline[I, O]) onChildDone(child *axon.Component, err error) {
	if err != nil {
		g.Fail(fmt.Errorf("chassis: Graphline child %s failed: %w", child.Name(), err))
		return
	}
	if i := slices.IndexFunc(g.forward, func(f forward) bool { return f.child == child }); i >= 0 {
		g.forward[i].link.Unlink()
		g.forward = slices.Delete(g.forward, i, i+1)
	}
	if len(g.Children()) == 0 && !g.Stopping() {
		g.end()
	}
}

// end tells how the Graphline ended, unless the user wired its signal
// outbox, and stops it.
func (g *Graphline[I, O]) end() {
	if !g.userSignal {
		if g.shutdown != nil {
			g.Signal.Send(g.shutdown)
		} else {
			g.Signal.Send(&axon.ProducerFinished{Caller: g})
		}
	}
	g.Stop()
}
