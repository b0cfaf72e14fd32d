package util

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// Backplane is Kamaelia's Backplane: a named, typed point that sends every
// message published to it to each of its subscribers. Publishers link an
// outbox to it (Publish, or a PublishTo component); subscribers give it an
// inbox (Subscribe, or a SubscribeTo component), which receives everything
// published after its component became active, until that component
// finishes. Messages from one publisher reach every subscriber in the
// order they were sent. What a component publishes in a turn reaches the
// subscribers when the turn ends, or every 32 messages of a long turn. A
// component that both publishes and subscribes is not given what it
// publishes itself: a chat client hears the others.
//
// Example: a room that every connection of a server says lines to and
// hears the others' lines from.
//
//	room := util.NewBackplane[Line]("room")
//	axon.Run(ctx, room, server) // the handlers call room.Publish and room.Subscribe
//
// # Slow subscribers
//
// A subscriber that does not keep up never slows the others, or the
// publishers (unless its policy is Block): each subscription has a queue
// of its own, bounded by its Policy, which says what happens when it is
// full. A subscriber learns what it lost from its Subscription.
//
// # Ownership
//
// A message is not copied for each subscriber: every subscriber is given
// the same value (the same slice, for []byte). Neither the publisher nor a
// subscriber may change it after it was published; copy it to change it.
//
// # Names
//
// A Backplane is registered under its name in its runtime when it starts:
// PublishTo and SubscribeTo find it there, whichever starts first (they
// wait for it), and two runtimes in one process share nothing. The message
// type is part of the name: a SubscribeTo[[]byte]("room") fails, with an
// error that says why, when "room" is a Backplane[Line].
type Backplane[T any] struct {
	axon.Component
	In      axon.Inbox[T]           `inbox:"inbox"`   // messages to publish: every subscriber is given each
	Remote  axon.Inbox[T]           `inbox:"remote"`  // messages published in other processes, which a bridge (Bridge) brings: given to every subscriber but the bridges
	Control axon.Inbox[axon.Signal] `inbox:"control"` // any signal stops it

	name string
	afar atomic.Int64 // messages of other processes that never came (Bridge's lost)

	mu      sync.Mutex
	joining []*sub[T]   // subscriptions attached since the last publication; guarded by mu
	changed atomic.Bool // a subscription joined or left

	// blockers are the subscriptions whose policy is Block, as refresh
	// last found them: read without pub, replaced under it.
	blockers atomic.Pointer[[]*sub[T]]

	// lease is the component whose turn holds the backplane's lease: its
	// publications go to staged, without pub, until the turn ends or
	// leased of them were made (see publish).
	lease atomic.Pointer[axon.Component]

	// pub serialises publications: what follows is guarded by it, but
	// staged, which the lease's holder also appends to without it.
	pub    sync.Mutex
	subs   []*sub[T] // every subscription
	room   uint64    // publications that surely find room in every Block subscription: until they are made, none looks
	leased int       // publications the lease's holder may stage: room kept for them in every Block subscription
	leases uint64    // leases taken so far: the number of the lease
	staged []T       // what the lease's holder published, given to the subscriptions when the lease ends
	timer  *time.Timer
	reg    *named // the backplane's own, set and read in its turns
}

// NewBackplane returns a Backplane registered as name once it runs.
func NewBackplane[T any](name string) *Backplane[T] {
	b := (&Backplane[T]{name: name}).initBoxes()
	// What is sent to the inboxes goes to the subscribers at once, on the
	// sender's side: it never waits in them.
	_ = loop.SetSink(&b.In, sink[T]{b, false})
	_ = loop.SetSink(&b.Remote, sink[T]{b, true})
	return b
}

// sink hands what is sent to one of the backplane's inboxes to its
// subscribers.
type sink[T any] struct {
	b    *Backplane[T]
	afar bool // the Remote inbox
}

func (s sink[T]) Offer(m T, from any) bool {
	c, _ := from.(*axon.Component)
	return s.b.publish(m, s.afar, false, c)
}
func (s sink[T]) Push(m T)   { s.b.publish(m, s.afar, true, nil) }
func (s sink[T]) Full() bool { return s.b.blocked(s.afar) }

// Publish links out to the backplane: every message sent on out is
// published, to every subscriber but out's own component. The link goes
// when out's component finishes. It returns an error when out is linked
// elsewhere already.
func (b *Backplane[T]) Publish(out *axon.Outbox[T]) error {
	l, err := axon.Link(out, &b.In)
	if err != nil {
		return fmt.Errorf("util: publishing %s to backplane %q: %w", out.Name(), b.name, err)
	}
	out.Owner().Own(l)
	return nil
}

// Subscribe makes in a subscriber, under policy p (DefaultPolicy, say):
// from when in's component is active until it finishes, in is given every
// message published, but those its own component publishes. Call it before activation (in a constructor) or from
// the component's own turns. Subscribing an inbox twice fails its
// component, with an error that says so.
func (b *Backplane[T]) Subscribe(in *axon.Inbox[T], p Policy) *Subscription {
	s := b.subscribe(in, p, false)
	return &s.Subscription
}

// Bridge subscribes in, under policy p, as the backplane's bridge to
// other processes (a Redis bridge is one): in is given what is published
// here, and not what comes in on Remote, which the bridge puts there. A
// bridge calls lost with the number of messages of other processes it
// knows were published and never came: they count in every other
// subscription's Lost.
func (b *Backplane[T]) Bridge(in *axon.Inbox[T], p Policy) (sub *Subscription, lost func(n int64)) {
	s := b.subscribe(in, p, true)
	return &s.Subscription, func(n int64) { b.afar.Add(n) }
}

func (b *Backplane[T]) subscribe(in *axon.Inbox[T], p Policy, bridge bool) *sub[T] {
	s := &sub[T]{bp: b, owner: in.Owner(), pol: p.orDefault(), bridge: bridge}
	s.inbox = in
	if !bridge {
		s.afar = &b.afar
	}
	s.ring = make([]T, min(firstRing, ceilPow2(s.pol.Max)))
	if s.owner == nil {
		s.err = axon.ErrNotInitialized
		return s
	}
	if err := loop.SetFeed(in, s); err != nil {
		s.err = err
		s.owner.Fail(fmt.Errorf("util: subscribing to backplane %q: %w", b.name, err))
	}
	return s
}

// firstRing is how many messages a subscription's queue has room for at
// first; it grows, up to its policy's Max, when a subscriber falls behind.
const firstRing = 8

// onStart registers the backplane under its name.
func (b *Backplane[T]) onStart() {
	n, err := lookup[T](b.Runtime(), b.name)
	if err == nil {
		err = n.run(b, b.name)
	}
	if err != nil {
		b.Fail(err)
		return
	}
	b.reg = n
}

// onStop takes the backplane's name back.
func (b *Backplane[T]) onStop() {
	if b.reg != nil {
		b.reg.stop(b)
	}
	b.pub.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.pub.Unlock()
}

// onIn and onRemote are never called: the inboxes' sinks take what is
// sent to them.
func (b *Backplane[T]) onIn(m T)     { b.publish(m, false, true, nil) }
func (b *Backplane[T]) onRemote(m T) { b.publish(m, true, true, nil) }

// publish gives m to every subscription (but the bridges, when it comes
// from afar, and the sender's own) and wakes the subscribers that may be
// idle, unless a Block subscription is full and force is not set: it then
// reports false, and the sender waits. It runs on the publisher's side,
// one publication at a time. from is the sending component, or nil.
func (b *Backplane[T]) publish(m T, afar, force bool, from *axon.Component) bool {
	if from != nil && b.lease.Load() == from && !afar && !force {
		// The lease's holder, in its turn: no lock, no look at the
		// subscriptions, room is kept for it. Once one joined or left,
		// it gives what it staged to those of before.
		if len(b.staged) < b.leased && !b.changed.Load() {
			b.staged = append(b.staged, m)
			return true
		}
		b.pub.Lock()
		b.endLease(from)
	} else {
		b.pub.Lock()
	}
	b.refresh()
	if b.room == 0 && !force {
		var blocked bool
		if blocked, b.room = b.blockedLocked(afar, from); blocked {
			b.pub.Unlock()
			return false
		}
	}
	if b.room > 0 {
		b.room--
	}
	// From a component's turn, what it publishes is made visible when
	// the turn ends, all at once (one atomic store and one look at whether
	// to wake each subscriber, not one a message), or every visibleEvery
	// messages of a long turn.
	held := from != nil && loop.AtTurnEnd(from, turnEnder[T]{b})
	if held && !afar && !force && b.lease.Load() == nil {
		// Take the lease, for the rest of the turn or the next
		// visibleEvery publications, whichever ends first.
		if n := min(b.room, visibleEvery-1) + 1; n > 1 {
			b.room -= n - 1
			b.leased = int(n)
			b.leases++
			b.staged = append(b.staged, m)
			b.lease.Store(from)
			b.pub.Unlock()
			return true
		}
	}
	now := time.Time{}
	for _, s := range b.subs {
		if afar && s.bridge || s.owner == from {
			continue
		}
		s.push(m, &now)
		if !held || s.wtail-s.tail.Load() >= visibleEvery {
			s.publish(from)
		}
	}
	b.pub.Unlock()
	return true
}

// visibleEvery is how many messages a turn publishes before they are made
// visible, if it goes on: its subscribers start on them meanwhile.
const visibleEvery = 32

// turnEnder is told that the turn of a component that published has
// ended.
type turnEnder[T any] struct{ b *Backplane[T] }

// TurnEnd makes what from's turn published visible, and wakes the
// subscribers that may be idle.
func (e turnEnder[T]) TurnEnd(from any) {
	b := e.b
	c, _ := from.(*axon.Component)
	b.pub.Lock()
	if b.lease.Load() == c {
		b.endLease(c)
	}
	for _, s := range b.subs {
		s.publish(c)
	}
	b.pub.Unlock()
}

// endLease gives what the lease's holder, from, staged to the
// subscriptions (but its own), makes it visible, and ends the lease. b.pub
// is held. A subscription that joined during the lease is not given what
// was staged, published before it joined.
func (b *Backplane[T]) endLease(from *axon.Component) {
	now := time.Time{}
	for _, s := range b.subs {
		if s.owner == from || s.joinedIn == b.leases {
			continue
		}
		for _, m := range b.staged {
			s.push(m, &now)
		}
		s.publish(from)
	}
	clear(b.staged)
	b.staged = b.staged[:0]
	b.leased = 0
	b.lease.Store(nil)
}

// blocked reports whether a Block subscription has no room: the sender
// then waits, to be woken when there is (onTurnEnd). One that has had no
// room for longer than its grace is disconnected instead.
func (b *Backplane[T]) blocked(afar bool) bool {
	if b.lease.Load() == nil && !anyFull(b.blocking()) {
		return false // the common case, with no lock: no Block subscription is full
	}
	b.pub.Lock()
	defer b.pub.Unlock()
	b.refresh()
	blocked, room := b.blockedLocked(afar, nil)
	b.room = room
	return blocked
}

// blockedLocked is blocked, with b.pub held, for a publication by from
// (or nil), which is not given to from's own subscription. It also
// returns how many publications surely find room in every Block
// subscription (whoever makes them): until they are made, a publication
// need not look.
func (b *Backplane[T]) blockedLocked(afar bool, from *axon.Component) (blocked bool, room uint64) {
	wait := time.Duration(-1)
	room = math.MaxUint64
	holder := b.lease.Load()
	for _, s := range b.blocking() {
		kept := uint64(0) // room kept for the lease's holder, in the subscriptions it gives to
		if holder != nil && s.owner != holder && s.joinedIn != b.leases {
			kept = uint64(b.leased)
		}
		if !s.left.Load() {
			room = min(room, uint64(s.pol.Max)-min(uint64(s.pol.Max), s.wtail+kept-s.head.Load()))
		}
		if afar && s.bridge || s.owner == from || !s.full(kept) {
			if !s.fullSince.IsZero() { // no store in the common case: a publication looks at every Block subscription
				s.fullSince = time.Time{}
			}
			continue
		}
		s.blocked.Store(true)
		if !s.full(kept) { // it made room meanwhile: it may not have seen blocked
			s.blocked.Store(false)
			continue
		}
		now := time.Now()
		if s.fullSince.IsZero() {
			s.fullSince = now
		}
		left := s.pol.Grace - now.Sub(s.fullSince)
		if left <= 0 {
			s.disconnect(fmt.Sprintf("its queue stayed full (%d messages) for %v, the longest a publisher waits", s.pol.Max, s.pol.Grace))
			continue
		}
		if wait < 0 || left < wait {
			wait = left
		}
	}
	if wait < 0 {
		return false, room
	}
	// Wake the senders when the first grace is over, to disconnect.
	if b.timer == nil {
		b.timer = time.AfterFunc(wait, b.Notify)
	} else {
		b.timer.Reset(wait)
	}
	return true, 0
}

// onTurnEnd wakes the senders waiting for a Block subscription whose
// grace is over (the timer's Notify): they try again, and disconnect it.
func (b *Backplane[T]) onTurnEnd() { b.wakeSenders() }

// wakeSenders wakes the senders waiting for room in a Block subscription:
// they try again.
func (b *Backplane[T]) wakeSenders() {
	loop.WakeWaiters(&b.In)
	loop.WakeWaiters(&b.Remote)
}

// refresh takes in the subscriptions that joined and drops those that
// left. b.pub is held.
func (b *Backplane[T]) refresh() {
	if !b.changed.Load() {
		return
	}
	b.room = 0
	b.mu.Lock()
	if b.lease.Load() != nil {
		// changed stays set: the lease's holder must see it.
		for _, s := range b.joining {
			s.joinedIn = b.leases // not given what the lease's holder staged
		}
	} else {
		b.changed.Store(false)
	}
	b.subs = append(b.subs, b.joining...)
	clear(b.joining)
	b.joining = b.joining[:0]
	b.mu.Unlock()
	live := b.subs[:0]
	var blockers []*sub[T]
	for _, s := range b.subs {
		if s.left.Load() {
			continue
		}
		live = append(live, s)
		if s.pol.Full == Block {
			blockers = append(blockers, s)
		}
	}
	clear(b.subs[len(live):])
	b.subs = live
	b.blockers.Store(&blockers)
}

// blocking returns the Block subscriptions.
func (b *Backplane[T]) blocking() []*sub[T] {
	if p := b.blockers.Load(); p != nil {
		return *p
	}
	return nil
}

// anyFull reports whether one of subs, Block subscriptions, may be full:
// outside a publication, what the publishers wrote is all visible (tail).
func anyFull[T any](subs []*sub[T]) bool {
	for _, s := range subs {
		h := s.head.Load()
		if s.tail.Load()-h >= uint64(s.pol.Max) && !s.left.Load() {
			return true
		}
	}
	return false
}

// onControl stops the backplane: its subscribers are given nothing more.
func (b *Backplane[T]) onControl(axon.Signal) { b.Stop() }

// Full says what a subscription does when its queue is full.
type Full uint8

const (
	// Disconnect ends the subscription, and fails the subscriber with a
	// *SlowSubscriberError (for a connection's handler: the connection
	// closes, with a log line), when its queue reaches Max, or stays over
	// Soft for longer than Grace. It is Redis's client-output-buffer-limit
	// for pub/sub clients, and the default.
	Disconnect Full = iota
	// DropNewest drops the message that finds the queue full, and counts
	// it (Subscription.Lost).
	DropNewest
	// DropOldest drops the oldest message in the queue to make room, and
	// counts it.
	DropOldest
	// Block makes the publishers wait for room, as a full inbox does: for
	// pipelines that must lose nothing. After Grace, a subscription still
	// full is disconnected (its subscriber fails) and the publishers go on.
	Block
)

func (f Full) String() string {
	switch f {
	case Disconnect:
		return "Disconnect"
	case DropNewest:
		return "DropNewest"
	case DropOldest:
		return "DropOldest"
	case Block:
		return "Block"
	}
	return fmt.Sprintf("Full(%d)", uint8(f))
}

// Policy bounds a subscription's queue and says what happens when it is
// full. The zero Policy is DefaultPolicy.
type Policy struct {
	Full Full
	// Max is how many messages the queue holds, at most.
	Max int
	// Soft, with Disconnect, is a lower bound the queue may stay over
	// only for Grace.
	Soft int
	// Grace, with Disconnect, is how long the queue may stay over Soft;
	// with Block, how long a publisher waits for room (0: for ever).
	Grace time.Duration
}

// DefaultPolicy is a network client's: disconnected once 1,024 messages
// wait for it, or more than 256 for a minute, as Redis disconnects a
// pub/sub client over 32 MB, or over 8 MB for a minute.
var DefaultPolicy = Policy{Full: Disconnect, Max: 1024, Soft: 256, Grace: time.Minute}

func (p Policy) orDefault() Policy {
	if p == (Policy{}) {
		return DefaultPolicy
	}
	if p.Max <= 0 {
		p.Max = DefaultPolicy.Max
	}
	if p.Full == Disconnect && (p.Soft <= 0 || p.Soft > p.Max) {
		p.Soft = p.Max
	}
	if p.Full == Block && p.Grace <= 0 {
		p.Grace = 1<<63 - 1
	}
	return p
}

// Subscription is what a subscriber has of its subscription: what it lost.
type Subscription struct {
	lost  atomic.Int64
	afar  *atomic.Int64 // its backplane's count of messages of other processes that never came
	base  atomic.Int64  // what afar was when the subscription began
	err   error
	gone  atomic.Pointer[SlowSubscriberError]
	inbox fmt.Stringer // named when it is known: once its component is active
}

// Lost returns how many messages published since the subscription began
// its subscriber was not given: dropped under its policy, or lost on the
// way from another process.
func (s *Subscription) Lost() int64 {
	n := s.lost.Load()
	if s.afar != nil {
		n += s.afar.Load() - s.base.Load()
	}
	return n
}

// Err returns why the subscription ended early: a *SlowSubscriberError
// when it was disconnected, an error when it could not begin; or nil.
func (s *Subscription) Err() error {
	if g := s.gone.Load(); g != nil {
		return g
	}
	return s.err
}

// SlowSubscriberError is what a subscriber disconnected under its policy
// fails with.
type SlowSubscriberError struct {
	Backplane string // the backplane's name
	Inbox     string // the subscriber's inbox
	Reason    string
	Lost      int64 // what waited for it, dropped
}

func (e *SlowSubscriberError) Error() string {
	return fmt.Sprintf("util: %s was disconnected from backplane %q: %s (%d messages dropped)", e.Inbox, e.Backplane, e.Reason, e.Lost)
}

// sub is a subscription: a queue written by the publishers, one
// publication at a time (the backplane's pub), and read by its
// subscriber's turns. A publication writes at wtail and makes what it
// wrote visible by storing tail; the subscriber reads from head to tail.
// Neither takes a lock for that. mu is taken by the subscriber for each
// batch it takes, and by a publication only when the queue must change
// under it (to grow the ring, or drop the oldest message).
//
// The fields are grouped by who writes them, each group on cache lines of
// its own: what the subscriber writes (head, mu) would otherwise take the
// line from under the publisher at each batch it takes, and the reverse.
type sub[T any] struct {
	// Read by both, written seldom.
	Subscription
	bp      *Backplane[T]
	owner   *axon.Component
	pol     Policy
	ring    []T            // swapped (grown) by a publication with mu held
	bridge  bool           // a bridge to other processes: not given what comes from them
	wake    func(from any) // set when attached, before the backplane sees it
	left    atomic.Bool    // detached or disconnected: the backplane forgets it
	blocked atomic.Bool    // a publisher waits for room in it
	_       cacheLine

	// The publishers', under their backplane's pub.
	tail      atomic.Uint64
	wtail     uint64
	over      time.Time // when the queue went over Soft
	joinedIn  uint64    // the lease during which the subscription joined, if any
	fullSince time.Time // when a Block queue was first found full
	_         cacheLine

	// The subscriber's.
	head atomic.Uint64
	mu   sync.Mutex
	_    cacheLine
}

// cacheLine keeps what follows it off the cache line of what precedes it.
type cacheLine [64]byte

// full reports whether the queue has no room, with kept more messages
// in it. b.pub is held.
func (s *sub[T]) full(kept uint64) bool {
	return !s.left.Load() && s.wtail+kept-s.head.Load() >= uint64(s.pol.Max)
}

// push puts m in the queue, or applies the policy. b.pub is held; now
// caches the time for Disconnect's checks.
func (s *sub[T]) push(m T, now *time.Time) {
	if s.left.Load() {
		return
	}
	n := s.wtail - s.head.Load()
	if s.pol.Full == Disconnect && !s.checkSoft(n, now) {
		return
	}
	if n < uint64(s.pol.Max) {
		if n >= uint64(len(s.ring)) {
			s.grow()
		}
		s.ring[s.wtail&uint64(len(s.ring)-1)] = m
		s.wtail++
		return
	}
	switch s.pol.Full {
	case DropNewest:
		s.lost.Add(1)
	case DropOldest:
		s.mu.Lock()
		mask := uint64(len(s.ring) - 1)
		if h := s.head.Load(); s.wtail-h >= uint64(s.pol.Max) {
			var zero T
			s.ring[h&mask] = zero
			s.head.Store(h + 1)
			s.lost.Add(1)
		}
		s.ring[s.wtail&mask] = m
		s.wtail++
		s.mu.Unlock()
	case Block: // the sender was let through past the bound (a finished component's last words)
		s.lost.Add(1)
	default:
		s.disconnect(fmt.Sprintf("its queue reached its bound (%d messages)", s.pol.Max))
	}
}

// publish makes what push wrote visible to the subscriber, and wakes it
// if it may be idle: if it had taken everything before. When it had not,
// it has a turn coming, and sees the new tail when it looks again after
// taking (the atomics order the two sides: Take stores head, then Len
// loads tail).
func (s *sub[T]) publish(from *axon.Component) {
	prev := s.tail.Load()
	if prev == s.wtail {
		return
	}
	s.tail.Store(s.wtail)
	if s.head.Load() >= prev && s.wake != nil {
		s.wake(from) // from a turn, it runs next on the publisher's worker
	}
}

// checkSoft disconnects a subscriber that has stayed over its soft bound
// for longer than its grace; it reports whether it is still subscribed.
func (s *sub[T]) checkSoft(n uint64, now *time.Time) bool {
	if n <= uint64(s.pol.Soft) {
		if !s.over.IsZero() { // no store in the common case: a publication touches every subscription
			s.over = time.Time{}
		}
		return true
	}
	if now.IsZero() {
		*now = time.Now()
	}
	if s.over.IsZero() {
		s.over = *now
		return true
	}
	if now.Sub(s.over) <= s.pol.Grace {
		return true
	}
	s.disconnect(fmt.Sprintf("more than %d messages waited for it for over %v", s.pol.Soft, s.pol.Grace))
	return false
}

// grow doubles the ring, up to what Max needs. b.pub is held.
func (s *sub[T]) grow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.ring
	ring := make([]T, min(2*len(old), ceilPow2(s.pol.Max)))
	for i := s.head.Load(); i < s.wtail; i++ {
		ring[i&uint64(len(ring)-1)] = old[i&uint64(len(old)-1)]
	}
	s.ring = ring
}

// disconnect ends the subscription and fails its subscriber.
func (s *sub[T]) disconnect(reason string) {
	if s.left.Swap(true) {
		return
	}
	s.mu.Lock()
	n := int64(s.wtail - s.head.Load())
	s.mu.Unlock()
	s.lost.Add(n)
	e := &SlowSubscriberError{Backplane: s.bp.name, Inbox: s.inbox.String(), Reason: reason, Lost: n}
	s.gone.Store(e)
	s.bp.changed.Store(true)
	s.owner.Fail(e)
}

// Take gives put up to n messages. Called by the subscriber, with its
// inbox's lock held.
func (s *sub[T]) Take(n int, put func(T)) int {
	s.mu.Lock()
	h, t := s.head.Load(), s.tail.Load() // head first: tail is never behind it
	k := min(uint64(n), t-h)
	mask := uint64(len(s.ring) - 1)
	var zero T
	for i := h; i < h+k; i++ {
		put(s.ring[i&mask])
		s.ring[i&mask] = zero
	}
	s.head.Store(h + k)
	s.mu.Unlock()
	if k > 0 && s.blocked.Load() && s.blocked.CompareAndSwap(true, false) { // a load first: a CAS would take the cache line the publications read
		s.bp.wakeSenders() // now, not in a turn of the backplane: they run on another worker while this one takes the rest
	}
	return int(k)
}

// Len returns how many messages wait for the subscriber.
func (s *sub[T]) Len() int {
	h := s.head.Load()
	return int(s.tail.Load() - h)
}

// Attach adds the subscription to its backplane's list.
func (s *sub[T]) Attach(wake func(from any)) {
	s.wake = wake
	if s.afar != nil {
		s.base.Store(s.afar.Load())
	}
	b := s.bp
	b.mu.Lock()
	b.joining = append(b.joining, s)
	b.mu.Unlock()
	b.changed.Store(true)
}

// Detach takes the subscription off its backplane's list: its subscriber
// has finished.
func (s *sub[T]) Detach() {
	if s.left.Swap(true) {
		return
	}
	s.bp.changed.Store(true)
	s.bp.Notify()
}

func ceilPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// named is what a runtime's registry holds under a backplane's name: its
// message type, the backplane while it runs, and what waits for it.
type named struct {
	typ reflect.Type

	mu      sync.Mutex
	bp      any
	waiting []func(bp any)
}

// lookup returns the registry entry for a backplane of T named name in
// rt, made if there is none; an error if the name is another type's.
func lookup[T any](rt *axon.Runtime, name string) (*named, error) {
	if rt == nil {
		return nil, errors.New("util: a backplane is looked up by a component that is not active")
	}
	typ := reflect.TypeFor[T]()
	v, _ := loop.Names(rt).LoadOrStore(backplaneKey{name}, &named{typ: typ})
	n := v.(*named)
	if n.typ != typ {
		return nil, fmt.Errorf("util: backplane %q carries %v, not %v: publish and subscribe to it with that type, or use another name", name, n.typ, typ)
	}
	return n, nil
}

type backplaneKey struct{ name string }

// run records bp as the backplane of n, and hands it to what waits for it.
func (n *named) run(bp any, name string) error {
	n.mu.Lock()
	if n.bp != nil {
		n.mu.Unlock()
		return fmt.Errorf("util: a backplane named %q runs already in this runtime: give each its own name", name)
	}
	n.bp = bp
	waiting := n.waiting
	n.waiting = nil
	n.mu.Unlock()
	for _, f := range waiting {
		f(bp)
	}
	return nil
}

// stop forgets bp, which has stopped.
func (n *named) stop(bp any) {
	n.mu.Lock()
	if n.bp == bp {
		n.bp = nil
	}
	n.mu.Unlock()
}

// when calls f with the backplane as soon as it runs: now, or when it
// starts.
func (n *named) when(f func(bp any)) {
	n.mu.Lock()
	bp := n.bp
	if bp == nil {
		n.waiting = append(n.waiting, f)
	}
	n.mu.Unlock()
	if bp != nil {
		f(bp)
	}
}

//go:generate go tool kamgen
