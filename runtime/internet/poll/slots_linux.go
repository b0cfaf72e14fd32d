//go:build linux

package poll

import (
	"sync"
	"sync/atomic"
)

// The slot table maps what an epoll event carries (a slot index in
// EpollEvent.Fd, a generation in EpollEvent.Pad) back to the socket.
//
// A Go pointer cannot go into epoll_event's data: the kernel's copy is
// invisible to the garbage collector. A descriptor number cannot either: the
// number of a closed socket is handed out again by the next accept, and an
// event the loop fetched before the close would reach the new socket. So
// every socket gets a slot and a generation, and the event loop delivers an
// event only if the slot still holds a socket of that generation.
//
// Slots live in fixed-size chunks that never move; the directory of chunks
// is replaced (copied) when it grows, so the loops look up without a lock.

const (
	slotChunkBits = 8
	slotChunkSize = 1 << slotChunkBits
	// wakeSlot marks the event of a loop's wake-up eventfd.
	wakeSlot = ^uint32(0)
	// listenSlot marks the event of a loop's epoll of listeners.
	listenSlot = ^uint32(0) - 1
)

type slot struct {
	sock    atomic.Pointer[esock]
	lastGen uint32 // the generation last handed out; under slotTable.mu
}

type slotChunk [slotChunkSize]slot

type slotTable struct {
	dir atomic.Pointer[[]*slotChunk]

	mu     sync.Mutex
	free   []uint32 // released slot indexes, reused last-in first-out
	used   uint32   // indexes below this have been handed out once
	live   int      // sockets in the table
	closed bool
}

// add puts s in a free slot and sets s.slot and s.gen. It fails once the
// table is closed (the Poller is closing).
func (t *slotTable) add(s *esock) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	var idx uint32
	if n := len(t.free); n > 0 {
		idx = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		idx = t.used
		t.used++
		t.grow(idx)
	}
	sl := t.at(idx)
	sl.lastGen++
	s.slot, s.gen = idx, sl.lastGen
	sl.sock.Store(s)
	t.live++
	return nil
}

// grow makes sure the chunk holding idx exists. t.mu is held.
func (t *slotTable) grow(idx uint32) {
	var dir []*slotChunk
	if d := t.dir.Load(); d != nil {
		dir = *d
	}
	c := int(idx >> slotChunkBits)
	if c < len(dir) {
		return
	}
	next := make([]*slotChunk, c+1)
	copy(next, dir)
	for i := len(dir); i <= c; i++ {
		next[i] = new(slotChunk)
	}
	t.dir.Store(&next)
}

// at returns the slot idx, which must exist.
func (t *slotTable) at(idx uint32) *slot {
	return &(*t.dir.Load())[idx>>slotChunkBits][idx&(slotChunkSize-1)]
}

// remove frees s's slot.
func (t *slotTable) remove(s *esock) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.at(s.slot).sock.CompareAndSwap(s, nil)
	t.free = append(t.free, s.slot)
	t.live--
}

// lookup returns the socket in slot idx if it is of generation gen, or nil
// for a stale event. It takes no lock.
func (t *slotTable) lookup(idx, gen uint32) *esock {
	d := t.dir.Load()
	if d == nil {
		return nil
	}
	c := idx >> slotChunkBits
	if c >= uint32(len(*d)) {
		return nil
	}
	s := (*d)[c][idx&(slotChunkSize-1)].sock.Load()
	if s == nil || s.gen != gen {
		return nil
	}
	return s
}

// close refuses new sockets from now on and returns those in the table.
func (t *slotTable) close() []*esock {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	var socks []*esock
	if d := t.dir.Load(); d != nil {
		for i := uint32(0); i < t.used; i++ {
			if s := t.at(i).sock.Load(); s != nil {
				socks = append(socks, s)
			}
		}
	}
	return socks
}
