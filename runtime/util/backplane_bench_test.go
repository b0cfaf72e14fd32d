package util_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/util"
)

// The fan-out benchmarks: one publisher, n subscribers, every message to
// every subscriber, nothing lost (Block, and blocking channel sends).
// Each reports deliveries/s and the heap each subscriber costs, idle;
// BenchmarkFanOut/backplane against BenchmarkFanOut/channels, the same
// fan-out written with a buffered channel and a goroutine per subscriber,
// is the ratio in docs/benchmarks.md. The backplane's publisher is code
// outside any component (Put, from the benchmark's goroutine), or, in
// backplane-component, a reactive component, as a kamgen program's
// publishers are.
//
//	go test -run '^$' -bench FanOut -benchtime 200000x ./runtime/util

// fanOutQueue is each subscriber's queue: a policy's Max, a channel's
// buffer.
const fanOutQueue = 256

// tally is a reactive subscriber that counts what it is given.
type tally struct {
	axon.Component
	In   axon.Inbox[int]
	n    int
	want int
	done *sync.WaitGroup
}

func (c *tally) Dispatch(t *axon.Turn) { axon.Serve(t, &c.In, c.onIn) }

func (c *tally) onIn(int) {
	if c.n++; c.n == c.want {
		c.done.Done()
	}
}

func BenchmarkFanOut(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("backplane/subs=%d", n), func(b *testing.B) { benchBackplane(b, n, false) })
		b.Run(fmt.Sprintf("backplane-component/subs=%d", n), func(b *testing.B) { benchBackplane(b, n, true) })
		b.Run(fmt.Sprintf("channels/subs=%d", n), func(b *testing.B) { benchChannels(b, n) })
	}
}

// counter is a reactive publisher: each turn it offers the next numbers
// until its outbox refuses one, and asks for another turn.
type counter struct {
	axon.Component
	Out  axon.Outbox[int]
	n    int
	want int
}

func (c *counter) Dispatch(*axon.Turn) {
	for c.n < c.want && c.Out.Offer(c.n) {
		c.n++
	}
	if c.n == c.want {
		c.Stop()
	}
}

func (c *counter) OnTurnEnd() {
	if c.n < c.want {
		c.Notify()
	}
}

func benchBackplane(b *testing.B, n int, component bool) {
	rt := axon.NewRuntime()
	defer rt.Close()
	bp := util.NewBackplane[int]("bench")
	var done sync.WaitGroup
	done.Add(n)
	before := heap()
	subs := make([]*tally, n)
	for i := range subs {
		s := &tally{want: b.N, done: &done}
		s.In.Init(&s.Component, "inbox", 0)
		bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: fanOutQueue})
		subs[i] = s
	}
	parts := make([]axon.Part, 0, n+1)
	for _, s := range subs {
		parts = append(parts, s)
	}
	if err := rt.Activate(append(parts, bp)...); err != nil {
		b.Fatal(err)
	}
	perSub := float64(heap()-before) / float64(n)
	var pub *counter
	if component {
		pub = &counter{want: b.N}
		pub.Out.Init(&pub.Component, "outbox", 0)
		if err := bp.Publish(&pub.Out); err != nil {
			b.Fatal(err)
		}
	}
	ctx := b.Context()
	b.ResetTimer()
	start := time.Now()
	if component {
		if err := rt.Activate(pub); err != nil {
			b.Fatal(err)
		}
	} else {
		for i := range b.N {
			if err := bp.In.Put(ctx, i); err != nil {
				b.Fatal(err)
			}
		}
	}
	done.Wait()
	report(b, n, time.Since(start), perSub)
	runtime.KeepAlive(subs)
}

func benchChannels(b *testing.B, n int) {
	var done sync.WaitGroup
	done.Add(n)
	before := heap()
	chans := make([]chan int, n)
	var got atomic.Int64
	for i := range chans {
		ch := make(chan int, fanOutQueue)
		chans[i] = ch
		go func() {
			defer done.Done()
			k := 0
			for range ch {
				k++
			}
			got.Add(int64(k))
		}()
	}
	perSub := float64(heap()-before) / float64(n)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		for _, ch := range chans {
			ch <- i
		}
	}
	for _, ch := range chans {
		close(ch)
	}
	done.Wait()
	report(b, n, time.Since(start), perSub)
	if got.Load() != int64(n)*int64(b.N) {
		b.Fatalf("delivered %d of %d", got.Load(), n*b.N)
	}
}

func report(b *testing.B, n int, took time.Duration, perSub float64) {
	b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "deliveries/s")
	b.ReportMetric(perSub, "B/sub")
}

// heap returns the bytes the heap holds, and what goroutine stacks do,
// after a collection.
func heap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}
