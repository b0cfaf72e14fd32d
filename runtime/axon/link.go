package axon

import (
	"github.com/kamgen/kamgen/runtime/internal/loop"

	"fmt"
	"sync"
	"sync/atomic"
)

// LinkKind is Kamaelia's passthrough number.
type LinkKind uint8

const (
	// Normal links an outbox to an inbox (passthrough 0).
	Normal LinkKind = iota
	// PassthroughIn forwards a container's inbox to a child's inbox
	// (passthrough 1).
	PassthroughIn
	// PassthroughOut forwards a child's outbox to its container's outbox
	// (passthrough 2).
	PassthroughOut
)

// Linkage is one link between two boxes. Unlink removes it.
type Linkage struct {
	src, dst BoxRef
	kind     LinkKind
	once     sync.Once
	unlink   func()
	owner    atomic.Pointer[Component] // the source's owner, or whoever took it with Own
	ownerIdx int                       // guarded by the owner's mu
}

// Source returns the box messages come from.
func (l *Linkage) Source() BoxRef { return l.src }

// Sink returns the box messages go to.
func (l *Linkage) Sink() BoxRef { return l.dst }

// Kind returns the kind of link.
func (l *Linkage) Kind() LinkKind { return l.kind }

// Unlink removes the link. Messages already delivered stay where they are;
// from now on, what is sent into the source is stored in the source again
// (an inbox's own queue, or an outbox waiting to be linked). Calling it again
// does nothing.
//
// A link owned by a component (Own) is also taken off its owner's list.
func (l *Linkage) Unlink() {
	l.once.Do(func() {
		l.unlink()
		if o := l.owner.Load(); o != nil {
			o.disown(l)
		}
	})
}

func (l *Linkage) String() string {
	return fmt.Sprintf("Link( source:[%s,%s], sink:[%s,%s] )",
		ownerName(l.src), l.src.Name(), ownerName(l.dst), l.dst.Name())
}

func ownerName(b BoxRef) string {
	if c := b.Owner(); c != nil {
		return c.Name()
	}
	return "?"
}

// Wiring is a link described but not yet made: the typed half of a link,
// checked by the compiler when it is built, made later by Link. Containers
// such as Graphline take a list of them.
type Wiring struct {
	src, dst BoxRef
	kind     LinkKind
	make     func() (*Linkage, error)
}

// Source returns the box the link will come from.
func (w Wiring) Source() BoxRef { return w.src }

// Sink returns the box the link will go to.
func (w Wiring) Sink() BoxRef { return w.dst }

// Kind returns the kind of link.
func (w Wiring) Kind() LinkKind { return w.kind }

// Link makes the link.
func (w Wiring) Link() (*Linkage, error) {
	if w.make == nil {
		return nil, fmt.Errorf("axon: empty Wiring: build it with Wire, WireIn or WireOut")
	}
	return w.make()
}

// Wire describes a link from an outbox to an inbox of the same message type.
func Wire[T any](out *Outbox[T], in *Inbox[T]) Wiring {
	return Wiring{src: out, dst: in, kind: Normal, make: func() (*Linkage, error) { return Link(out, in) }}
}

// WireIn describes a passthrough from a container's inbox to a child's, so
// that what arrives for the container goes to the child (Kamaelia's
// passthrough=1). WireIn(outer, inner).Link() makes it at once.
func WireIn[T any](outer, inner *Inbox[T]) Wiring {
	return Wiring{src: outer, dst: inner, kind: PassthroughIn, make: func() (*Linkage, error) { return link(&outer.box, &inner.box, outer, inner, PassthroughIn) }}
}

// WireOut describes a passthrough from a child's outbox to its
// container's, so that what the child sends leaves through the container
// (Kamaelia's passthrough=2). WireOut(inner, outer).Link() makes it at once.
func WireOut[T any](inner, outer *Outbox[T]) Wiring {
	return Wiring{src: inner, dst: outer, kind: PassthroughOut, make: func() (*Linkage, error) { return link(&inner.box, &outer.box, inner, outer, PassthroughOut) }}
}

// Link links an outbox to an inbox: what out sends arrives in in. An outbox
// has one destination: linking it again before unlinking returns
// ErrAlreadyLinked. Many outboxes may feed one inbox. Messages the outbox
// holds (sent while it was not linked) move to the inbox as far as it has
// room; the rest follow, ahead of anything sent later, as the inbox is
// read: a link never puts an inbox past its capacity. The link belongs to
// out's owner, and goes when that component finishes (what its outbox
// still holds is then delivered, room or not), unless another component
// takes it with Own.
func Link[T any](out *Outbox[T], in *Inbox[T]) (*Linkage, error) {
	return link(&out.box, &in.box, out, in, Normal)
}

// joiner is what loop.Join and loop.Unjoin need of an outbox.
type joiner interface {
	join(in any) error
	unjoin()
}

func init() {
	loop.Join = func(out, in any) error { return out.(joiner).join(in) }
	loop.Unjoin = func(out any) { out.(joiner).unjoin() }
}

// self returns b: what join finds of the inbox it is given.
func (b *box[T]) self() *box[T] { return b }

// join links b to in, an inbox of the same message type, with no Linkage.
func (b *box[T]) join(in any) error {
	dst, ok := in.(interface{ self() *box[T] })
	if !ok {
		return fmt.Errorf("axon: join %s to %T: not an inbox of the same message type", b.fullName(), in)
	}
	return connect(b, dst.self())
}

// unjoin removes the link that starts at b, however it was made.
func (b *box[T]) unjoin() {
	topology.Lock()
	dst := b.target
	topology.Unlock()
	if dst != nil {
		unlink(b, dst)
	}
}

// link links src to dst; srcRef and dstRef are the boxes as their owner
// declared them (an *Outbox or *Inbox), which the Linkage reports.
func link[T any](src, dst *box[T], srcRef, dstRef BoxRef, kind LinkKind) (*Linkage, error) {
	if err := connect(src, dst); err != nil {
		return nil, err
	}
	l := &Linkage{src: srcRef, dst: dstRef, kind: kind}
	l.unlink = func() { unlink(src, dst) }
	// Until another component owns it (Own), the link belongs to its
	// source's owner and goes when that finishes: a finished component is
	// never kept reachable by a link it made into a longer-lived one.
	src.owner.Own(l)
	return l, nil
}

// connect makes the link from src to dst.
//
// What src holds moves to the end of dst's chain, as much as it has room
// for. An outbox that holds more (it was filled while not linked) keeps the
// rest, stays the end of its own chain so that its senders' messages stay
// behind what it holds, and drains into the end as room appears (drainer):
// a link never puts an inbox past its capacity, however often a source is
// relinked. An inbox linked onward moves all it holds, as Kamaelia's does.
func connect[T any](src, dst *box[T]) error {
	if src.owner == nil || dst.owner == nil {
		return ErrNotInitialized
	}
	topology.Lock()
	defer topology.Unlock()
	if t := src.target; t != nil {
		return fmt.Errorf("%w: %s already goes to %s", ErrAlreadyLinked, src.fullName(), t.fullName())
	}
	for b := dst; b != nil; b = b.target {
		if b == src {
			return fmt.Errorf("%w: %s -> %s", ErrLinkCycle, src.fullName(), dst.fullName())
		}
	}
	newEnd := dst.chainEnd()
	upstream := collectUpstream(src)

	// src is the end of its own chain (it has no target), so every upstream
	// sender is locking src to send. Holding src while the ends change makes
	// them retry against the new end.
	// Messages its owner is handling right now stay in src (an inbox being
	// linked onward); the others move to the new end.
	src.mu.Lock()
	newEnd.mu.Lock()
	var moved int
	if src.dir == Out {
		for src.q.len() > 0 && !newEnd.full() {
			newEnd.push(src.pop())
			moved++
		}
	} else {
		moved = src.q.len() - int(src.claimed)
		if src.weighed || newEnd.weighed {
			for k := int(src.claimed); src.q.len() > k; {
				newEnd.push(src.removeAt(k))
			}
		} else {
			src.q.moveTo(&newEnd.q, int(src.claimed))
		}
	}
	draining := src.dir == Out && src.q.len() > 0
	if draining {
		src.draining = true
		newEnd.addWaiterLocked(src.drain())
	} else {
		for _, u := range upstream {
			u.final.Store(newEnd)
		}
	}
	// Senders waiting for room in src now send to the new end, or find
	// room in src: either way they try again.
	var waiting []waker
	if x := src.cold.Load(); x != nil && (!draining || moved > 0) {
		waiting, x.waiters, x.waiting = x.waiters, nil, nil
	}
	newEnd.mu.Unlock()
	src.mu.Unlock()

	src.target = dst
	dst.addSource(src)
	for _, w := range waiting {
		w.wake()
	}
	if moved > 0 && newEnd.dir == In {
		newEnd.owner.wake()
	}
	return nil
}

// chainEnd returns where b's chain ends: the last box, or a box on the way
// that is still draining. The topology lock is held.
func (b *box[T]) chainEnd() *box[T] {
	for b.target != nil && !b.draining {
		b = b.target
	}
	return b
}

// drain returns the box's drainer, making it. The topology lock is held.
func (b *box[T]) drain() *drainer[T] {
	x := b.extra()
	if x.drainer == nil {
		x.drainer = &drainer[T]{b: b}
	}
	return x.drainer
}

// drainer moves what a linked box still holds to the end of its chain.
// It waits for room at the end as a sender does; woken (with the end's
// lock held), it does the move on a goroutine of its own.
type drainer[T any] struct {
	b         *box[T]
	scheduled atomic.Bool
}

func (d *drainer[T]) wake() {
	if d.scheduled.CompareAndSwap(false, true) {
		go d.run()
	}
}

// run moves as much as the end has room for. When nothing is left, the
// box's senders send to the end directly again; otherwise it waits for
// room once more.
func (d *drainer[T]) run() {
	d.scheduled.Store(false)
	topology.Lock()
	defer topology.Unlock()
	d.move(false)
}

// move does run's work; with force it moves everything, room or not (the
// box's owner has finished). The topology lock is held.
func (d *drainer[T]) move(force bool) {
	src := d.b
	if !src.draining {
		return
	}
	end := src.target.chainEnd()
	src.mu.Lock()
	end.mu.Lock()
	moved := 0
	for src.q.len() > 0 && (force || !end.full()) {
		end.push(src.pop())
		moved++
	}
	var waiting []waker
	if src.q.len() == 0 {
		src.draining = false
		for _, u := range collectUpstream(src) {
			u.final.Store(end)
		}
	} else {
		end.addWaiterLocked(d)
	}
	if x := src.cold.Load(); x != nil && moved > 0 {
		// Senders waiting for room in src have some, or now send to the
		// end: either way they try again.
		waiting, x.waiters, x.waiting = x.waiters, nil, nil
	}
	end.mu.Unlock()
	src.mu.Unlock()
	for _, w := range waiting {
		w.wake()
	}
	if moved > 0 && end.dir == In {
		end.owner.wake()
	}
}

// flushDrain moves everything a draining box still holds to the end of its
// chain, past its capacity: what a finished component sent is delivered,
// not stranded in its outbox.
func (b *box[T]) flushDrain() {
	topology.Lock()
	defer topology.Unlock()
	if x := b.cold.Load(); x != nil && x.drainer != nil {
		x.drainer.move(true)
	}
}

// flush delivers what the link's source still holds for lack of room,
// room or not (flushDrain).
func (l *Linkage) flush() {
	if b, ok := l.src.(interface{ flushDrain() }); ok {
		b.flushDrain()
	}
}

func unlink[T any](src, dst *box[T]) {
	topology.Lock()
	defer topology.Unlock()
	if src.target != dst {
		return
	}
	oldEnd := dst.end()
	upstream := collectUpstream(src)
	oldEnd.mu.Lock()
	for _, u := range upstream {
		if u == src {
			u.final.Store(nil)
		} else {
			u.final.Store(src)
		}
	}
	// Senders waiting for room at the old end now send into src: let them
	// try again.
	oldEnd.wakeWaitersLocked()
	oldEnd.mu.Unlock()
	// What a draining src still holds stays in it, and goes wherever it is
	// linked next.
	src.draining = false
	src.target = nil
	dst.removeSource(src)
}

// collectUpstream returns b and every box whose chain passes through b.
// The topology lock is held.
func collectUpstream[T any](b *box[T]) []*box[T] {
	out := []*box[T]{b}
	for i := 0; i < len(out); i++ {
		n := len(out)
		out = out[i].appendSources(out)
		// A source still draining is the end of its own chain.
		k := n
		for _, s := range out[n:] {
			if !s.draining {
				out[k] = s
				k++
			}
		}
		out = out[:k]
	}
	return out
}
