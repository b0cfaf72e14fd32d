package meter

import (
	"sync/atomic"
	"time"
)

// TurnBuckets are the upper bounds of the turn duration histogram.
var TurnBuckets = []time.Duration{
	time.Microsecond, 2500 * time.Nanosecond, 5 * time.Microsecond,
	10 * time.Microsecond, 25 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 100 * time.Millisecond,
	time.Second,
}

// SampleEvery is how often a turn is timed: one turn in SampleEvery. Two
// clock reads cost about as much as a small turn.
const SampleEvery = 64

// Shard is what one goroutine that runs turns (a worker, or a network
// loop) counts: written by that goroutine only, read by a scrape.
type Shard struct {
	Turns   atomic.Uint64
	tick    uint32               // owner only
	buckets [len16]atomic.Uint64 // sampled turns per bucket; the last is +Inf
	sumNs   atomic.Uint64        // of sampled turns
	_       [64]byte             // keeps shards off each other's cache lines
}

const len16 = 17 // len(TurnBuckets) + 1

// Shard returns the shard of s that the goroutine known as owner (its
// worker) counts in, making it the first time.
func (s *Set) Shard(owner any) *Shard {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh := s.shards[owner]; sh != nil {
		return sh
	}
	sh := new(Shard)
	s.shards[owner] = sh
	return sh
}

// Sample counts a turn and reports whether it is to be timed. Turns are
// added to Turns SampleEvery at a time: a plain increment per turn, and
// an atomic one per SampleEvery.
func (sh *Shard) Sample() bool {
	sh.tick++
	if sh.tick%SampleEvery != 0 {
		return false
	}
	sh.Turns.Add(SampleEvery)
	return true
}

// Observe records a timed turn that lasted d.
func (sh *Shard) Observe(d time.Duration) {
	i := 0
	for i < len(TurnBuckets) && d > TurnBuckets[i] {
		i++
	}
	sh.buckets[i].Add(1)
	sh.sumNs.Add(uint64(max(d, 0)))
}

// Turns returns the turns run, and the timed ones: how many, their total
// duration, and how many fell in each bucket (not cumulative; the last is
// beyond every bound).
func (s *Set) Turns() (turns, timed uint64, sum time.Duration, buckets []uint64) {
	s.mu.Lock()
	shards := make([]*Shard, 0, len(s.shards))
	for _, sh := range s.shards {
		shards = append(shards, sh)
	}
	s.mu.Unlock()
	buckets = make([]uint64, len16)
	for _, sh := range shards {
		turns += sh.Turns.Load()
		sum += time.Duration(sh.sumNs.Load())
		for i := range buckets {
			n := sh.buckets[i].Load()
			buckets[i] += n
			timed += n
		}
	}
	return turns, timed, sum, buckets
}
