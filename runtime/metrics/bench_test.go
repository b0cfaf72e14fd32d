package metrics_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/metrics"
)

// relay passes each message on.
type relay struct {
	axon.Component
	In  axon.Inbox[int]
	Out axon.Outbox[int]
}

func newRelay() *relay {
	r := &relay{}
	r.In.Init(&r.Component, "inbox", 0)
	r.Out.Init(&r.Component, "outbox", 0)
	return r
}

func (r *relay) Dispatch(t *axon.Turn) { axon.Serve(t, &r.In, r.onIn) }
func (r *relay) onIn(m int)            { r.Out.Send(m) }

// sink closes done after n messages.
type sink struct {
	axon.Component
	In   axon.Inbox[int]
	n    int
	done chan struct{}
}

func (s *sink) Dispatch(t *axon.Turn) { axon.Serve(t, &s.In, s.onIn) }
func (s *sink) onIn(int) {
	if s.n--; s.n == 0 {
		close(s.done)
	}
}

// BenchmarkPipeline sends messages through 10 reactive relays, with the
// runtime's metrics off and on: the worst case for their cost, a runtime
// that does nothing but move messages (four counts per relay and
// message: sent, taken, and each box's depth).
func BenchmarkPipeline(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "metrics=off"
		if on {
			name = "metrics=on"
		}
		b.Run(name, func(b *testing.B) {
			rt := axon.NewRuntime()
			defer rt.Close()
			if on {
				if err := metrics.Register(rt, prometheus.NewRegistry()); err != nil {
					b.Fatal(err)
				}
			}
			relays := make([]*relay, 10)
			for i := range relays {
				relays[i] = newRelay()
				if i > 0 {
					if _, err := axon.Link(&relays[i-1].Out, &relays[i].In); err != nil {
						b.Fatal(err)
					}
				}
			}
			end := &sink{n: b.N, done: make(chan struct{})}
			end.In.Init(&end.Component, "inbox", 0)
			if _, err := axon.Link(&relays[len(relays)-1].Out, &end.In); err != nil {
				b.Fatal(err)
			}
			for _, r := range relays {
				if err := rt.Activate(r); err != nil {
					b.Fatal(err)
				}
			}
			if err := rt.Activate(end); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := relays[0].In.Put(ctx, i); err != nil {
					b.Fatal(err)
				}
			}
			<-end.done
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
