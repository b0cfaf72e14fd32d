package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// The chain is Kamaelia's: each pair of words maps to the words seen after
// it, and a sentence is a random walk from the start pair. end marks where a
// line ended, so a walk can stop where people stopped.
const (
	start = "\n"
	end   = "\n"
	// maxWords bounds a reply: a chain can loop ("a b a b ...").
	maxWords = 40
)

// Store keeps the chain. Every server process pointed at one store shares
// one chain. Implementations are safe for concurrent use, and Learn is
// atomic: a line is learnt whole or not at all.
type Store interface {
	// Learn records one line's words: after each pair of words, the next.
	Learn(ctx context.Context, words []string) error
	// Next returns a random word seen after the pair (a, b), weighted by how
	// often it was seen, and false when the pair was never seen.
	Next(ctx context.Context, a, b string) (string, bool, error)
}

// Chain learns lines and answers with sentences made from what it learnt.
type Chain struct {
	Store Store
}

// Learn adds a line to the chain.
func (c *Chain) Learn(ctx context.Context, line string) error {
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil
	}
	return c.Store.Learn(ctx, words)
}

// Sentence walks the chain from the start.
func (c *Chain) Sentence(ctx context.Context) (string, error) {
	a, b := start, start
	var out []string
	for len(out) < maxWords {
		w, ok, err := c.Store.Next(ctx, a, b)
		if err != nil {
			return "", err
		}
		if !ok || w == end {
			break
		}
		out = append(out, w)
		a, b = b, w
	}
	return strings.Join(out, " "), nil
}

// Reply learns line and answers it: a sentence from the chain, ending
// with a newline (a newline alone when the chain knows nothing yet).
func (c *Chain) Reply(ctx context.Context, line string) ([]byte, error) {
	if err := c.Learn(ctx, line); err != nil {
		return nil, fmt.Errorf("learning a line: %w", err)
	}
	s, err := c.Sentence(ctx)
	if err != nil {
		return nil, fmt.Errorf("making a reply: %w", err)
	}
	return []byte(s + "\n"), nil
}

// pairs lists the (pair, next word) steps of a line, ending with end.
func pairs(words []string) [][3]string {
	steps := make([][3]string, 0, len(words)+1)
	a, b := start, start
	for _, w := range words {
		steps = append(steps, [3]string{a, b, w})
		a, b = b, w
	}
	return append(steps, [3]string{a, b, end})
}

// DefaultMemoryBytes is how much a MemoryStore holds, in bytes of words
// and bookkeeping, unless NewMemoryStore is told otherwise.
const DefaultMemoryBytes = 64 << 20

// maxFollowers bounds the distinct words kept after one pair: picking one
// scans them, and a pair every line passes through (the start of a line)
// would otherwise gather every first word ever typed.
const maxFollowers = 256

// What a pair and a follower cost, beyond their words' bytes: the map
// entry, the pair's record, the string headers and the count.
const (
	pairCost     = 256
	followerCost = 32
)

// MemoryStore is a Store in this process's memory, bounded in bytes: any
// client can type, and a chain that kept every word it learnt (as
// Kamaelia's did) would grow until the server ran out of memory.
//
// For each pair of words it counts the words seen after it, rather than
// keeping each occurrence, so a pick is weighted as before. A pair keeps
// at most maxFollowers words; a new one then takes the place of the least
// seen. When the store holds more than its budget, it forgets pairs, picked
// at random (the start of a line is kept), until it is back under 90 % of
// it. A chain under its budget answers exactly as an unbounded one.
type MemoryStore struct {
	mu       sync.RWMutex
	next     map[[2]string]*followers
	bytes    int // what the chain holds, as estimated by pairCost and followerCost
	maxBytes int
}

// followers are the words seen after one pair, and how often each was.
type followers struct {
	words  []string
	counts []uint32
	total  uint64
}

// NewMemoryStore returns an empty chain store of at most
// DefaultMemoryBytes.
func NewMemoryStore() *MemoryStore { return NewMemoryStoreOf(DefaultMemoryBytes) }

// NewMemoryStoreOf returns an empty chain store that holds at most maxBytes
// (at least 64 KiB).
func NewMemoryStoreOf(maxBytes int) *MemoryStore {
	return &MemoryStore{next: map[[2]string]*followers{}, maxBytes: max(maxBytes, 64<<10)}
}

// Bytes returns what the store holds, in the bytes its budget counts.
func (m *MemoryStore) Bytes() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.bytes
}

// Learn records a line.
func (m *MemoryStore) Learn(_ context.Context, words []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range pairs(words) {
		m.add([2]string{s[0], s[1]}, s[2])
	}
	if m.bytes > m.maxBytes {
		m.shrink()
	}
	return nil
}

// add counts w after the pair k. The words are copied: a word of the
// line would keep the whole line's bytes alive.
func (m *MemoryStore) add(k [2]string, w string) {
	f := m.next[k]
	if f == nil {
		k = [2]string{strings.Clone(k[0]), strings.Clone(k[1])}
		f = &followers{}
		m.next[k] = f
		m.bytes += pairCost + len(k[0]) + len(k[1])
	}
	f.total++
	for i, seen := range f.words {
		if seen == w {
			f.counts[i]++
			return
		}
	}
	if len(f.words) < maxFollowers {
		f.words = append(f.words, strings.Clone(w))
		f.counts = append(f.counts, 1)
		m.bytes += followerCost + len(w)
		return
	}
	least := 0 // a full pair: the least seen word makes room
	for i, n := range f.counts {
		if n < f.counts[least] {
			least = i
		}
	}
	m.bytes += len(w) - len(f.words[least])
	f.total -= uint64(f.counts[least])
	f.words[least], f.counts[least] = strings.Clone(w), 1
}

// shrink forgets pairs until the store holds at most 90 % of its budget.
// Go's map iteration starts at a random place: the pairs forgotten are
// a random few.
func (m *MemoryStore) shrink() {
	low := m.maxBytes / 10 * 9
	for k, f := range m.next {
		if m.bytes <= low {
			return
		}
		if k == [2]string{start, start} {
			continue
		}
		m.bytes -= pairCost + len(k[0]) + len(k[1])
		for _, w := range f.words {
			m.bytes -= followerCost + len(w)
		}
		delete(m.next, k)
	}
}

// Next picks a word seen after (a, b), weighted by how often it was.
func (m *MemoryStore) Next(_ context.Context, a, b string) (string, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f := m.next[[2]string{a, b}]
	if f == nil || f.total == 0 {
		return "", false, nil
	}
	r := rand.Uint64N(f.total)
	for i, n := range f.counts {
		if r < uint64(n) {
			return f.words[i], true, nil
		}
		r -= uint64(n)
	}
	return f.words[len(f.words)-1], true, nil // not reached: the counts add up to total
}
