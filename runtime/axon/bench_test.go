package axon_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
)

const pipelineStages = 10

// counter is a reactive sink that closes done after n messages.
type counter struct {
	axon.Component
	In   axon.Inbox[int]
	n    int
	done chan struct{}
}

func newCounter(n int) *counter {
	c := &counter{n: n, done: make(chan struct{})}
	c.In.Init(&c.Component, "inbox", 0)
	return c
}

func (c *counter) Dispatch(t *axon.Turn) { axon.Serve(t, &c.In, c.onIn) }

func (c *counter) onIn(int) {
	c.n--
	if c.n == 0 {
		close(c.done)
	}
}

// threadedRelay is the threaded counterpart of relay.
type threadedRelay struct {
	axon.Component
	In  axon.Inbox[int]
	Out axon.Outbox[int]
}

func newThreadedRelay() *threadedRelay {
	r := &threadedRelay{}
	r.In.Init(&r.Component, "inbox", 0)
	r.Out.Init(&r.Component, "outbox", 0)
	return r
}

func (r *threadedRelay) Main(ctx context.Context) error {
	for {
		m, err := r.In.Recv(ctx)
		if err != nil {
			return nil
		}
		if err := r.Out.Send(m); err != nil {
			return nil
		}
	}
}

type stage interface {
	axon.Part
	in() *axon.Inbox[int]
	out() *axon.Outbox[int]
}

func (r *relay[T]) in() *axon.Inbox[T]          { return &r.In }
func (r *relay[T]) out() *axon.Outbox[T]        { return &r.Out }
func (r *threadedRelay) in() *axon.Inbox[int]   { return &r.In }
func (r *threadedRelay) out() *axon.Outbox[int] { return &r.Out }

func benchPipeline(b *testing.B, mk func() stage) {
	rt := axon.NewRuntime()
	defer rt.Close()
	stages := make([]stage, pipelineStages)
	for i := range stages {
		stages[i] = mk()
		if i > 0 {
			if _, err := axon.Link(stages[i-1].out(), stages[i].in()); err != nil {
				b.Fatal(err)
			}
		}
	}
	sink := newCounter(b.N)
	if _, err := axon.Link(stages[len(stages)-1].out(), &sink.In); err != nil {
		b.Fatal(err)
	}
	for _, s := range stages {
		if err := rt.Activate(s); err != nil {
			b.Fatal(err)
		}
	}
	if err := rt.Activate(sink); err != nil {
		b.Fatal(err)
	}
	first := stages[0].in()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := first.Put(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
	<-sink.done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPipelineReactive sends messages through 10 reactive relays.
func BenchmarkPipelineReactive(b *testing.B) {
	benchPipeline(b, func() stage { return newRelay[int]() })
}

// BenchmarkPipelineThreaded sends messages through 10 threaded relays.
func BenchmarkPipelineThreaded(b *testing.B) {
	benchPipeline(b, func() stage { return newThreadedRelay() })
}

// BenchmarkPipelineChannels is the limit: 10 goroutines joined by buffered
// channels of the same capacity as an inbox.
func BenchmarkPipelineChannels(b *testing.B) {
	chans := make([]chan int, pipelineStages+1)
	for i := range chans {
		chans[i] = make(chan int, axon.DefaultCapacity)
	}
	for i := 0; i < pipelineStages; i++ {
		go func(in <-chan int, out chan<- int) {
			for m := range in {
				out <- m
			}
			close(out)
		}(chans[i], chans[i+1])
	}
	done := make(chan struct{})
	go func() {
		for range chans[pipelineStages] {
		}
		close(done)
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		chans[0] <- i
	}
	close(chans[0])
	<-done
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// idleRelay is a relay of []byte bound the way kamgen's generated code
// binds a component: what a user's component costs.
type idleRelay struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
}

var idleRelayHooks axon.Bound[idleRelay]

func newIdleRelay() *idleRelay {
	r := &idleRelay{}
	r.In.Init(&r.Component, "inbox", 0)
	r.Control.Init(&r.Component, "control", 0)
	r.Out.Init(&r.Component, "outbox", 0)
	r.Signal.Init(&r.Component, "signal", 0)
	axon.Bind(r, &r.Component, &idleRelayHooks, func() axon.Hooks[idleRelay] {
		return axon.Hooks[idleRelay]{Dispatch: func(c *idleRelay, t *axon.Turn) {
			axon.Serve(t, &c.In, func(m []byte) { c.Out.Send(m) })
			axon.ServeLast(t, &c.Control, func(s axon.Signal) { c.Signal.Send(s); c.Stop() })
		}}
	})
	return r
}

// BenchmarkIdleComponent measures what a paused reactive component costs.
func BenchmarkIdleComponent(b *testing.B) {
	rt := axon.NewRuntime()
	defer rt.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	parts := make([]*idleRelay, b.N)
	for i := range parts {
		parts[i] = newIdleRelay()
		if err := rt.Activate(parts[i]); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N), "B/component")
	runtime.KeepAlive(parts)
}
