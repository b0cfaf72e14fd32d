package axon_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/require"
)

// tagged identifies a message: which producer sent it, and its number.
type tagged struct{ from, seq int }

// threadedProducer sends n tagged messages as fast as it can.
type threadedProducer struct {
	axon.Component
	Out axon.Outbox[tagged]
	id  int
	n   int
}

func (p *threadedProducer) Main(ctx context.Context) error {
	for i := range p.n {
		if err := p.Out.Send(tagged{p.id, i}); err != nil {
			return err
		}
	}
	return nil
}

// reactiveProducer sends one tagged message per trigger it receives.
type reactiveProducer struct {
	axon.Component
	In  axon.Inbox[int]
	Out axon.Outbox[tagged]
	id  int
}

func (p *reactiveProducer) Dispatch(t *axon.Turn) {
	axon.Serve(t, &p.In, func(seq int) { p.Out.Send(tagged{p.id, seq}) })
}

// hub is a container whose outbox the producers pass through.
type hub struct {
	axon.Component
	Out axon.Outbox[tagged]
}

func (h *hub) Dispatch(*axon.Turn) {}

// No message is lost or duplicated while links are made, removed and made
// again under concurrent senders, threaded and reactive, direct and through
// an outbox passthrough; each producer's messages arrive in order at each
// destination.
func TestRelinkUnderLoadLosesNothing(t *testing.T) {
	const (
		producers = 4
		perProd   = 3000
		switches  = 400
	)
	rt := newRT(t)
	sinks := [2]*axontest.Sink[tagged]{axontest.NewSink[tagged](), axontest.NewSink[tagged]()}
	h := &hub{}
	h.Out.Init(&h.Component, "outbox", 8)
	require.NoError(t, rt.Activate(sinks[0], sinks[1], h))

	var threaded []*threadedProducer
	var reactive []*reactiveProducer
	var outs []*axon.Outbox[tagged]
	for i := range producers {
		if i%2 == 0 {
			p := &threadedProducer{id: i, n: perProd}
			p.Out.Init(&p.Component, "outbox", 4)
			threaded = append(threaded, p)
			outs = append(outs, &p.Out)
		} else {
			p := &reactiveProducer{id: i}
			p.In.Init(&p.Component, "inbox", 16)
			p.Out.Init(&p.Component, "outbox", 4)
			reactive = append(reactive, p)
			outs = append(outs, &p.Out)
		}
	}
	// Producers 0 and 1 go through the hub; 2 and 3 go straight to a sink.
	pass := make([]*axon.Linkage, producers)
	for i := range 2 {
		l, err := axon.WireOut(outs[i], &h.Out).Link()
		require.NoError(t, err)
		pass[i] = l
	}
	for i := 2; i < producers; i++ {
		pass[i] = mustLink(t, outs[i], &sinks[i%2].In)
	}
	hubLink := mustLink(t, &h.Out, &sinks[0].In)

	for _, p := range threaded {
		require.NoError(t, rt.Activate(p))
	}
	for _, p := range reactive {
		require.NoError(t, rt.Activate(p))
	}
	var feeders sync.WaitGroup
	for _, p := range reactive {
		feeders.Add(1)
		go func() {
			defer feeders.Done()
			for i := range perProd {
				if err := p.In.Put(context.Background(), i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}

	// Switch links while everything flows.
	fed := make(chan struct{})
	go func() {
		feeders.Wait()
		for _, p := range threaded {
			<-p.Done()
		}
		close(fed)
	}()
	rng := rand.New(rand.NewPCG(1, 2))
	hubTo := 0
	n := 0
	for ; n < switches || !closed(fed); n++ {
		switch rng.IntN(3) {
		case 0: // move the hub's chain end to the other sink
			hubLink.Unlink()
			hubTo = 1 - hubTo
			hubLink = mustLink(t, &h.Out, &sinks[hubTo].In)
		case 1: // unlink a passthrough for a while, then link it back
			i := rng.IntN(2)
			pass[i].Unlink()
			l, err := axon.WireOut(outs[i], &h.Out).Link()
			require.NoError(t, err)
			pass[i] = l
		case 2: // move a direct producer to the other sink
			i := 2 + rng.IntN(producers-2)
			pass[i].Unlink()
			pass[i] = mustLink(t, outs[i], &sinks[rng.IntN(2)].In)
		}
	}
	t.Logf("%d link changes while sending", n)

	total := producers * perProd
	all := func() []tagged { return append(sinks[0].Messages(), sinks[1].Messages()...) }
	eventually(t, "every message delivered", func() bool { return len(all()) >= total })
	got := all()
	require.Len(t, got, total, "no duplicates")
	seen := map[tagged]bool{}
	for _, m := range got {
		require.False(t, seen[m], "duplicate %v", m)
		seen[m] = true
	}
	for p := range producers {
		for i := range perProd {
			require.True(t, seen[tagged{p, i}], "lost %d/%d", p, i)
		}
	}
	for _, s := range sinks {
		last := map[int]int{}
		for _, m := range s.Messages() {
			if prev, ok := last[m.from]; ok {
				require.Greater(t, m.seq, prev, "producer %d out of order", m.from)
			}
			last[m.from] = m.seq
		}
	}
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
