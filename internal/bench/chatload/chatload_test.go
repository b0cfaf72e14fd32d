package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBucketsAreContiguous(t *testing.T) {
	next := uint64(0)
	for i := range nBuckets {
		low, width := bucketRange(i)
		require.Equal(t, next, low, "bucket %d", i)
		require.Equal(t, i, bucketOf(low))
		require.Equal(t, i, bucketOf(low+width-1))
		next = low + width
		if next == 0 {
			require.Equal(t, nBuckets-1, i, "the last bucket ends at 2^64")
		}
	}
	require.Equal(t, nBuckets-1, bucketOf(1<<64-1))
}

func TestQuantilesWithin6Percent(t *testing.T) {
	var h histogram
	values := make([]uint64, 100_000)
	for i := range values {
		values[i] = uint64(rand.ExpFloat64() * 5000)
		h.add(values[i])
	}
	var all totals
	all.merge(&h)
	slices.Sort(values)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := float64(values[int(q*float64(len(values)))])
		assert.InEpsilon(t, want, float64(all.quantile(q)), 1.0/16, "q%v", q)
	}
	assert.Equal(t, values[len(values)-1], all.quantile(1))
	assert.Equal(t, values[len(values)-1], all.max)
	assert.Zero(t, new(totals).quantile(0.5))
}

func TestParse(t *testing.T) {
	n, ok := sendTime([]byte("<guest12> t=1712345678901234567 xxxx\n"))
	assert.True(t, ok)
	assert.Equal(t, int64(1712345678901234567), n)
	_, ok = sendTime([]byte("<guest12> hello\n"))
	assert.False(t, ok)
	g, ok := guestNumber([]byte("* welcome, guest42: /nick NAME, /who, /quit\n"), "* welcome, guest", ':')
	assert.True(t, ok)
	assert.Equal(t, int64(42), g)
	g, ok = guestNumber([]byte("* guest7 joined\n"), "* guest", ' ')
	assert.True(t, ok)
	assert.Equal(t, int64(7), g)
	_, ok = guestNumber([]byte("* guest7 is now bob\n"), "* welcome, guest", ':')
	assert.False(t, ok)
}

// TestAgainstARoom runs the load on a small chat server of the test's own
// (the chat's protocol, without commands) and checks what it counts.
func TestAgainstARoom(t *testing.T) {
	addr := serveRoom(t)
	cfg := config{addr: addr, clients: 6, rate: 20, duration: time.Second, warmup: 200 * time.Millisecond,
		settle: 5 * time.Second, size: 64, dialers: 4, noCPU: true}
	r, err := run(cfg)
	require.NoError(t, err)
	t.Logf("%+v", *r)
	assert.Zero(t, r.Errors, r.FirstError)
	assert.Equal(t, 6, r.Heard)
	assert.Equal(t, int64(6*5*20), r.Expected)
	// Lines are counted by the time they were said, deliveries by the time
	// they came, and a sender that wakes up late skips what it missed:
	// the counts are close, not equal.
	assert.InDelta(t, 6*20, r.Sent, 6*20*0.3)
	assert.InDelta(t, r.Sent*5, r.Delivered, float64(r.Sent*5)*0.3)
	assert.Positive(t, r.P50MS)
	assert.LessOrEqual(t, r.P50MS, r.P99MS)
	assert.LessOrEqual(t, r.P99MS, r.MaxMS)
}

func TestRefusesOtherAddresses(t *testing.T) {
	_, err := run(config{addr: "192.0.2.1:1502", pid: 1, clients: 2, rate: 1, duration: time.Second, dialers: 1})
	require.Error(t, err)
}

// serveRoom serves a chat room on 127.0.0.1 until the test ends: a
// welcome, join notices and lines to every other client.
func serveRoom(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	conns := map[net.Conn]string{}
	guests := 0
	say := func(from net.Conn, line string) {
		for c := range conns {
			if c != from {
				c.SetWriteDeadline(time.Now().Add(5 * time.Second))
				c.Write([]byte(line))
			}
		}
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			guests++
			nick := fmt.Sprint("guest", guests)
			conns[c] = nick
			fmt.Fprintf(c, "* welcome, %s: /nick NAME, /who, /quit\n", nick)
			say(c, "* "+nick+" joined\n")
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					mu.Lock()
					if err != nil {
						delete(conns, c)
						say(c, "* "+nick+" left\n")
						mu.Unlock()
						return
					}
					say(c, "<"+nick+"> "+line)
					mu.Unlock()
				}
			})
		}
	})
	return ln.Addr().String()
}
