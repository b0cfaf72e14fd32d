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

// MemoryStore is a Store in this process's memory.
type MemoryStore struct {
	mu   sync.RWMutex
	next map[[2]string][]string
}

// NewMemoryStore returns an empty chain store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{next: map[[2]string][]string{}}
}

// Learn records a line.
func (m *MemoryStore) Learn(_ context.Context, words []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range pairs(words) {
		k := [2]string{s[0], s[1]}
		m.next[k] = append(m.next[k], s[2])
	}
	return nil
}

// Next picks a word seen after (a, b).
func (m *MemoryStore) Next(_ context.Context, a, b string) (string, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ws := m.next[[2]string{a, b}]
	if len(ws) == 0 {
		return "", false, nil
	}
	return ws[rand.IntN(len(ws))], true, nil
}
