// Package store is the data and the commands of the RESP examples: one
// store that every connection of a server shares, and Exec, which runs a
// command on it and appends the reply in RESP2. Both servers, the kamgen
// one and the plain one, use it, so that what they differ in is the
// network and the framing only.
package store

import (
	"bytes"
	"hash/maphash"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// shards splits the keys, so that connections working on different keys
// seldom wait for one another.
const shards = 64

// Store is a map of keys to values with optional expiry, safe for
// concurrent use. Expired keys are removed when they are read, and a write
// now and then removes a few expired keys of its shard.
type Store struct {
	seed   maphash.Seed
	now    func() time.Time
	writes atomic.Uint64 // counts writes: every sweepEvery, a shard is swept
	shards [shards]shard
}

type shard struct {
	mu sync.RWMutex
	m  map[string]*entry // a pointer: a write to a key there makes no new key
}

// entry is a value and when it expires (unix nanoseconds; 0: never).
// Readers copy a value while its shard is locked, so that INCR may write
// the new number over the old one.
type entry struct {
	val []byte
	exp int64
}

// inPlaceMax is the largest value a SET writes over the old one.
const inPlaceMax = 256

// sweepEvery is how many writes go between two sweeps of a few expired
// keys of a shard, each shard in turn; sweepKeys is how many keys a sweep
// looks at.
const (
	sweepEvery = 64
	sweepKeys  = 16
)

// New returns an empty store on the wall clock.
func New() *Store { return NewWithClock(time.Now) }

// NewWithClock returns an empty store whose expiries follow now.
func NewWithClock(now func() time.Time) *Store {
	s := &Store{seed: maphash.MakeSeed(), now: now}
	for i := range s.shards {
		s.shards[i].m = map[string]*entry{}
	}
	return s
}

// nowNano reads the store's clock; only keys with an expiry need it.
func (s *Store) nowNano() int64 { return s.now().UnixNano() }

func (s *Store) shard(key []byte) *shard {
	return &s.shards[maphash.Bytes(s.seed, key)%shards]
}

// get reports whether key is there and has not expired, and if it is,
// appends its value to out as a bulk string, when bulk is set.
func (s *Store) get(out, key []byte, bulk bool) ([]byte, bool) {
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[string(key)]
	var exp int64
	if ok {
		exp = e.exp
		if ok = exp == 0 || exp > s.nowNano(); ok && bulk {
			out = AppendBulk(out, e.val)
		}
	}
	sh.mu.RUnlock()
	if exp != 0 && !ok {
		now := s.nowNano()
		sh.mu.Lock()
		if e, ok := sh.m[string(key)]; ok && e.exp != 0 && e.exp <= now {
			delete(sh.m, string(key))
		}
		sh.mu.Unlock()
	}
	return out, ok
}

// set stores a copy of val under key. A small value goes over the old one
// when it fits, as INCR's number does (readers copy under the lock): a
// SET of a key already there allocates nothing. A large one is copied
// before the lock is taken, so that other keys of the shard do not wait
// for the copy, and a key that held a large value does not keep its room
// for a small one.
func (s *Store) set(key, val []byte, exp int64) {
	sh := s.shard(key)
	var v []byte
	if len(val) > inPlaceMax {
		v = bytes.Clone(val)
	}
	sh.mu.Lock()
	e, ok := sh.m[string(key)]
	if ok && v == nil && cap(e.val) >= len(val) && cap(e.val) <= inPlaceMax {
		e.val, e.exp = append(e.val[:0], val...), exp
	} else {
		if v == nil {
			v = append(make([]byte, 0, len(val)), val...) // never nil, even empty
		}
		if !ok {
			e = &entry{}
			sh.m[string(key)] = e
		}
		e.val, e.exp = v, exp
	}
	sh.mu.Unlock()
	if w := s.writes.Add(1); w%sweepEvery == 0 {
		other := &s.shards[(w/sweepEvery)%shards]
		now := s.nowNano()
		other.mu.Lock()
		other.sweep(now)
		other.mu.Unlock()
	}
}

// sweep removes the expired keys among a few; mu is held.
func (sh *shard) sweep(now int64) {
	n := 0
	for k, e := range sh.m { // a map's iteration starts at a random place
		if e.exp != 0 && e.exp <= now {
			delete(sh.m, k)
		}
		if n++; n == sweepKeys {
			return
		}
	}
}

// del removes key, and reports whether it was there.
func (s *Store) del(key []byte) bool {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[string(key)]
	if !ok {
		return false
	}
	delete(sh.m, string(key))
	return e.exp == 0 || e.exp > s.nowNano()
}

// incr adds one to the integer at key (0 when absent) and returns it.
func (s *Store) incr(key []byte) (int64, bool) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.m[string(key)]
	var n int64
	switch {
	case ok && (e.exp == 0 || e.exp > s.nowNano()):
		v, ok := ParseInt(e.val)
		if !ok || v == math.MaxInt64 {
			return 0, false
		}
		n = v
	case ok: // expired: it starts again, with no expiry
		e.exp = 0
	default:
		e = &entry{}
		sh.m[string(key)] = e
	}
	n++
	e.val = strconv.AppendInt(e.val[:0], n, 10) // over the old one: no reader holds it
	return n, true
}

// Len returns how many keys the store holds, expired ones not yet removed
// included.
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
