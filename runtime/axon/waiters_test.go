package axon

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// countWaker counts its wake-ups.
type countWaker struct{ n int }

func (w *countWaker) wake() { w.n++ }

// Registering a waiter costs the same however many wait already: twenty
// thousand senders waiting on one inbox (every connection's close notice
// on its server's) are registered in linear time, not quadratic; each is
// registered once however often it asks, and each is woken once.
func TestWaitersAreFoundInConstantTime(t *testing.T) {
	register := func(n int) (time.Duration, []*countWaker) {
		var b box[int]
		ws := make([]*countWaker, n)
		for i := range ws {
			ws[i] = &countWaker{}
		}
		start := time.Now()
		b.mu.Lock()
		for _, w := range ws {
			b.addWaiterLocked(w)
			b.addWaiterLocked(w) // again: no second entry
		}
		b.mu.Unlock()
		took := time.Since(start)
		b.mu.Lock()
		b.wakeWaitersLocked()
		b.mu.Unlock()
		return took, ws
	}
	_, ws := register(2000)
	for _, w := range ws {
		assert.Equal(t, 1, w.n, "each waiter is woken once")
	}
	best := func(n int) time.Duration { // the least of three: the machine is shared
		d := time.Duration(1<<63 - 1)
		for range 3 {
			took, _ := register(n)
			d = min(d, took)
		}
		return d
	}
	small, large := best(1000), best(64000)
	// Sixty-four times the waiters: sixty-four times the time when each
	// costs the same (a few times more, as the set outgrows the caches); a
	// scan per waiter would make it 4,096.
	ratio := float64(large) / float64(max(small, time.Microsecond))
	t.Logf("1,000 waiters in %v, 64,000 in %v: %.0fx", small, large, ratio)
	assert.Less(t, ratio, 1000.0, "registering a waiter grows with the number waiting")
}

// Taking a source off an inbox costs the same however many are linked to
// it: twenty thousand connections' adapters linked to their server's one
// inbox, unlinked as they close, take linear time, not quadratic. What is
// left is exactly the sources that were not removed.
func TestSourcesAreRemovedInConstantTime(t *testing.T) {
	churn := func(n int) time.Duration {
		var b box[int]
		srcs := make([]box[int], n)
		for i := range srcs {
			b.addSource(&srcs[i])
		}
		start := time.Now()
		// Remove them in an order that is neither the order of addition
		// nor its reverse: every other one, then the rest.
		for i := 0; i < n; i += 2 {
			b.removeSource(&srcs[i])
		}
		took := time.Since(start)
		left := map[*box[int]]bool{}
		for _, s := range b.appendSources(nil) {
			left[s] = true
		}
		assert.Len(t, left, n/2, "the sources not removed are all there, once each")
		for i := 1; i < n; i += 2 {
			assert.True(t, left[&srcs[i]], "source %d is still linked", i)
			b.removeSource(&srcs[i])
		}
		assert.Empty(t, b.appendSources(nil), "every source removed")
		return took
	}
	best := func(n int) time.Duration { // the least of three: the machine is shared
		d := time.Duration(1<<63 - 1)
		for range 3 {
			d = min(d, churn(n))
		}
		return d
	}
	small, large := best(1000), best(64000)
	ratio := float64(large) / float64(max(small, time.Microsecond))
	t.Logf("500 of 1,000 sources removed in %v, 32,000 of 64,000 in %v: %.0fx", small, large, ratio)
	assert.Less(t, ratio, 1000.0, "removing a source grows with the number linked")
}
