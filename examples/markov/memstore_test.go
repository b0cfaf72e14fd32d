package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Under its budget the store picks each word as often as it was seen, as a
// chain that kept every occurrence does.
func TestMemoryStorePicksByCount(t *testing.T) {
	m := NewMemoryStore()
	ctx := context.Background()
	for range 3 {
		require.NoError(t, m.Learn(ctx, []string{"a", "b"}))
	}
	require.NoError(t, m.Learn(ctx, []string{"a", "c"}))
	const n = 40000
	got := map[string]int{}
	for range n {
		w, ok, err := m.Next(ctx, start, "a")
		require.NoError(t, err)
		require.True(t, ok)
		got[w]++
	}
	assert.Len(t, got, 2)
	// 3 in 4: the standard deviation of the share over 40,000 picks is
	// 0.2 %, so 1.5 % is over seven of them.
	assert.InDelta(t, 0.75, float64(got["b"])/n, 0.015, "b was seen 3 times, c once: %v", got)
}

// A pair keeps at most maxFollowers words; a new one takes the place of
// the least seen, and the counts stay consistent.
func TestMemoryStoreBoundsFollowers(t *testing.T) {
	m := NewMemoryStore()
	ctx := context.Background()
	require.NoError(t, m.Learn(ctx, []string{"often"}))
	require.NoError(t, m.Learn(ctx, []string{"often"}))
	for i := range 2 * maxFollowers {
		require.NoError(t, m.Learn(ctx, []string{fmt.Sprintf("w%d", i)}))
	}
	f := m.next[[2]string{start, start}]
	require.Len(t, f.words, maxFollowers)
	var sum uint64
	for _, c := range f.counts {
		sum += uint64(c)
	}
	assert.Equal(t, f.total, sum, "the total is the sum of the counts")
	assert.Contains(t, f.words, "often", "the most seen word stays")
}

// Lines of words never seen before, many times the budget of them, leave
// the store within its budget and the heap within a small multiple of it:
// a client cannot exhaust the server's memory by typing.
func TestMemoryStoreStaysWithinItsBudget(t *testing.T) {
	const budget = 1 << 20
	m := NewMemoryStoreOf(budget)
	ctx := context.Background()
	before := heapInUse()
	fed, i := 0, 0
	for fed < 8*budget {
		words := make([]string, 8)
		for j := range words {
			words[j] = fmt.Sprintf("word%08d", i)
			i++
		}
		line := strings.Join(words, " ")
		fed += len(line)
		require.NoError(t, m.Learn(ctx, strings.Fields(line)))
		require.LessOrEqual(t, m.Bytes(), budget)
	}
	grew := heapInUse() - before
	t.Logf("fed %d MiB of new words; the store holds %d KiB; the heap grew %d KiB", fed>>20, m.Bytes()>>10, grew>>10)
	assert.Less(t, grew, int64(3*budget), "the heap grew past three budgets")
	s, err := (&Chain{Store: m}).Sentence(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, s, "a full store still answers")
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
