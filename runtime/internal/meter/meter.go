// Package meter holds the counters a runtime keeps for its metrics when
// they are turned on: plain atomics that the scheduler, the boxes and the
// network adapters add to, and that package metrics reads when it is
// scraped. It is internal: the runtime's packages write here and none of
// them imports Prometheus; a process without a Set pays the test of one
// word (axon's metered) where they would count.
package meter

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Set is the counters of one runtime. Package axon makes a runtime keep
// one (Install); the network components find it with Of.
type Set struct {
	// RunQueue returns how many components wait in the runtime's run
	// queue. Set by Install.
	RunQueue func() int

	mu     sync.Mutex
	kinds  map[string]*Kind
	order  []*Kind
	shards map[any]*Shard // by the worker that writes it

	Conns Conns
}

// New returns an empty Set.
func New() *Set { return &Set{kinds: map[string]*Kind{}, shards: map[any]*Shard{}} }

// Install makes the runtime rt (an *axon.Runtime) keep s: the components
// activated from then on are counted. It fails if rt keeps a Set already.
// Package axon sets it.
var Install func(rt any, s *Set) error

// Of returns the Set the runtime rt (an *axon.Runtime, maybe nil) keeps,
// or nil. Package axon sets it.
var Of func(rt any) *Set

// Kind is what the components of one type have counted: per box, the
// messages sent on an outbox or taken from an inbox, and the most that
// waited in it.
type Kind struct {
	Name             string     // the type, as Go prints it without its '*': "main.Echo"
	Boxes            []BoxDesc  // the boxes the type declares as fields, then two named Other (an inbox, an outbox) for the rest
	index            []uint8    // the slot of the box at each offset/8 in the struct, or noBox
	set              *Set       //
	mu               sync.Mutex // guards what follows
	live             map[*Comp]struct{}
	done             []uint64 // what finished components counted, per slot
	high             []int64  // the most any finished component's box held, per slot
	Panics, Failures atomic.Uint64
}

// BoxDesc is a box a Kind declares.
type BoxDesc struct {
	Name string
	In   bool
}

// Other is the name the boxes a type does not declare as fields are
// counted under (boxes made with NewInbox or NewOutbox, by name).
const Other = "_other"

// Kind returns the Kind of the type typ (as %T prints it); the first time,
// boxes says which boxes it declares and where they lie in its struct.
func (s *Set) Kind(typ string, boxes func() ([]BoxDesc, []uintptr)) *Kind {
	typ = strings.TrimPrefix(typ, "*")
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.kinds[typ]; k != nil {
		return k
	}
	descs, offs := boxes()
	return s.newKind(typ, descs, offs)
}

func (s *Set) newKind(typ string, boxes []BoxDesc, offs []uintptr) *Kind {
	boxes = append(boxes[:len(boxes):len(boxes)], BoxDesc{Name: Other, In: true}, BoxDesc{Name: Other})
	n := len(boxes)
	var size uintptr
	for _, o := range offs {
		size = max(size, o/8+1)
	}
	index := make([]uint8, size) // by offset/8: the slot of the box there, or noBox
	for i := range index {
		index[i] = noBox
	}
	for i, o := range offs {
		if i < noBox {
			index[o/8] = uint8(i)
		}
	}
	k := &Kind{Name: typ, Boxes: boxes, index: index, live: map[*Comp]struct{}{},
		done: make([]uint64, n), high: make([]int64, n)}
	s.kinds[typ] = k
	s.order = append(s.order, k)
	return k
}

// Kinds returns every Kind so far, in the order they were first seen.
func (s *Set) Kinds() []*Kind {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Kind(nil), s.order...)
}

// Comp is one component's counters: per box slot, messages and the most
// that waited. Written by whoever moves a message; read by a scrape.
type Comp struct {
	kind  *Kind
	base  uintptr // the address of the component's struct
	index []uint8 // the kind's
	other int     // the slot of Other, an inbox; an outbox's is next
	n     []atomic.Uint64
	high  []atomic.Int64
	// pend is what the component counted in its current turn (AddOwn),
	// added to n when the turn ends (Flush): one atomic add per box and
	// turn instead of one per message. Used in the owner's turns only.
	pend []uint64
}

// lines returns a slice of n Ts on cache lines of its own: what one
// goroutine writes at each message must not share a line with what others
// read (a component's pend and the marks its senders look at).
func lines[T any](n int) []T {
	return make([]T, (n+7)&^7)[:n]
}

// Start returns the counters of a component of k whose struct is at base.
func (k *Kind) Start(base uintptr) *Comp {
	n := len(k.Boxes)
	c := &Comp{kind: k, base: base, index: k.index, other: n - 2, n: lines[atomic.Uint64](n), high: lines[atomic.Int64](n), pend: lines[uint64](n)}
	k.mu.Lock()
	k.live[c] = struct{}{}
	k.mu.Unlock()
	return c
}

// noBox marks an offset where no declared box lies.
const noBox = 255

// slot returns the slot of the box at addr, an inbox if in: found by its
// offset in the struct, in constant time.
func (c *Comp) slot(addr uintptr, in bool) int {
	if i := (addr - c.base) / 8; i < uintptr(len(c.index)) {
		if s := c.index[i]; s != noBox {
			return int(s)
		}
	}
	if in {
		return c.other // Other, an inbox
	}
	return c.other + 1
}

// Add counts n messages through the box at addr, from any goroutine.
func (c *Comp) Add(addr uintptr, in bool, n int) { c.n[c.slot(addr, in)].Add(uint64(n)) }

// AddOwn counts n messages through the box at addr, in a turn of the
// component: they are seen once the turn ends (Flush).
func (c *Comp) AddOwn(addr uintptr, in bool, n int) {
	c.pend[c.slot(addr, in)] += uint64(n)
}

// Flush adds what the component's turn counted. It is called by the
// goroutine that ran the turn, when it ends.
func (c *Comp) Flush() {
	for i, p := range c.pend {
		if p != 0 {
			c.n[i].Add(p)
			c.pend[i] = 0
		}
	}
}

// Depth records that the box at addr holds n messages.
func (c *Comp) Depth(addr uintptr, in bool, n int) {
	h := &c.high[c.slot(addr, in)]
	if int64(n) > h.Load() {
		h.Store(int64(n)) // a box's pushes hold its lock: no other writer
	}
}

// Finish folds the component's counts into its Kind, in its last turn (or,
// for a threaded component, once its Main has returned); failed says it
// failed, and panicked that it was its own panic.
func (c *Comp) Finish(failed, panicked bool) {
	c.Flush()
	k := c.kind
	switch {
	case panicked:
		k.Panics.Add(1)
	case failed:
		k.Failures.Add(1)
	}
	k.mu.Lock()
	delete(k.live, c)
	for i := range c.n {
		k.done[i] += c.n[i].Load()
		k.high[i] = max(k.high[i], c.high[i].Load())
	}
	k.mu.Unlock()
}

// Read returns, per slot, the messages counted and the high-water mark,
// over the finished components of k and the live ones; and how many are
// live.
func (k *Kind) Read() (n []uint64, high []int64, live int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	n = append([]uint64(nil), k.done...)
	high = append([]int64(nil), k.high...)
	for c := range k.live {
		for i := range c.n {
			n[i] += c.n[i].Load()
			high[i] = max(high[i], c.high[i].Load())
		}
	}
	for i, b := range k.Boxes {
		if b.In && n[i] > 0 {
			high[i] = max(high[i], 1) // a depth of one is not recorded
		}
	}
	return n, high, len(k.live)
}
