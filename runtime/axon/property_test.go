package axon_test

import (
	"math/rand/v2"
	"testing"
	"testing/quick"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// mailboxCase is one random configuration of the mailbox property test.
type mailboxCase struct {
	Cap       uint8  // the sinks' inbox capacity, 1 to 8
	Producers uint8  // 1 to 4 threaded producers
	PerProd   uint16 // 1 to 300 messages each
	Seed      uint64 // the order of the link changes
}

// TestMailboxProperties checks, over random capacities, producer counts,
// message counts and orders of link changes, the mailbox invariants: no
// loss and no duplicate across link, unlink and relink, and FIFO per sender
// at each destination. Bounded is TestMailboxBounded and TestRelinkBounded.
func TestMailboxProperties(t *testing.T) {
	prop := func(c mailboxCase) bool {
		capacity := int(c.Cap%8) + 1
		producers := int(c.Producers%4) + 1
		perProd := int(c.PerProd%300) + 1
		rng := rand.New(rand.NewPCG(c.Seed, 7))

		rt := axontest.Runtime(t)
		sinks := [2]*axontest.Sink[tagged]{axontest.NewSink[tagged](), axontest.NewSink[tagged]()}
		for _, s := range sinks {
			s.In.SetCap(capacity)
		}
		require.NoError(t, rt.Activate(sinks[0], sinks[1]))
		ps := make([]*threadedProducer, producers)
		links := make([]*axon.Linkage, producers)
		for i := range ps {
			ps[i] = &threadedProducer{id: i, n: perProd}
			ps[i].Out.Init(&ps[i].Component, "outbox", 1+rng.IntN(4))
			links[i] = mustLink(t, &ps[i].Out, &sinks[rng.IntN(2)].In)
			require.NoError(t, rt.Activate(ps[i]))
		}
		done := func() bool {
			for _, p := range ps {
				if !p.Finished() {
					return false
				}
			}
			return true
		}
		for changes := 0; changes < 50 || !done(); changes++ {
			i := rng.IntN(producers)
			links[i].Unlink()
			links[i] = mustLink(t, &ps[i].Out, &sinks[rng.IntN(2)].In)
		}
		total := producers * perProd
		all := func() []tagged { return append(sinks[0].Messages(), sinks[1].Messages()...) }
		eventually(t, "every message delivered", func() bool { return len(all()) >= total })
		got := all()
		if len(got) != total {
			t.Logf("%d messages for %d sent", len(got), total)
			return false
		}
		seen := map[tagged]bool{}
		for _, m := range got {
			if seen[m] {
				t.Logf("duplicate %v", m)
				return false
			}
			seen[m] = true
		}
		for _, s := range sinks {
			last := map[int]int{}
			for _, m := range s.Messages() {
				if prev, ok := last[m.from]; ok && m.seq <= prev {
					t.Logf("producer %d out of order: %d after %d", m.from, m.seq, prev)
					return false
				}
				last[m.from] = m.seq
			}
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 25}))
}

// stuckSink is never activated: it takes nothing, and its inbox fills.
type stuckSink struct {
	axon.Component
	In axon.Inbox[tagged]
}

func (s *stuckSink) Dispatch(*axon.Turn) {}

// TestMailboxBounded checks, over random capacities and producer counts,
// that senders which wait for room never put more than an inbox's
// capacity in it, however many of them send at once: an inbox whose
// owner takes nothing fills to its capacity and no further.
func TestMailboxBounded(t *testing.T) {
	prop := func(c mailboxCase) bool {
		capacity := int(c.Cap%8) + 1
		producers := int(c.Producers%4) + 1
		rt := axontest.Runtime(t)
		sink := &stuckSink{}
		sink.In.Init(&sink.Component, "inbox", capacity)
		in := &sink.In
		ps := make([]*threadedProducer, producers)
		for i := range ps {
			ps[i] = &threadedProducer{id: i, n: capacity + 5}
			ps[i].Out.Init(&ps[i].Component, "outbox", 1)
			mustLink(t, &ps[i].Out, in)
			require.NoError(t, rt.Activate(ps[i]))
		}
		// Each producer fills its own outbox (1) once the inbox is full,
		// then waits: the inbox holds its capacity, no more.
		eventually(t, "the inbox to fill", func() bool { return in.Len() == capacity })
		for _, p := range ps {
			p.Stop()
		}
		for _, p := range ps {
			<-p.Done()
		}
		if in.Len() > capacity+producers {
			// A stopping component's held sends are delivered past the
			// capacity (nothing is lost): at most one each, here.
			t.Logf("an inbox of capacity %d holds %d", capacity, in.Len())
			return false
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 25}))
}

// TestRelinkBounded checks that relinking never puts an inbox past its
// capacity: an outbox filled while it was not linked moves what the inbox
// has room for, keeps the rest ahead of what its sender sends next, and
// drains as room appears. Relinked again and again to an inbox whose owner
// takes nothing, the inbox stays at its capacity; once the owner takes
// again, every message arrives, once, in order.
func TestRelinkBounded(t *testing.T) {
	prop := func(c mailboxCase) bool {
		capacity := int(c.Cap%8) + 1
		outCap := int(c.Producers%4) + 1
		relinks := int(c.PerProd%20) + 2
		rt := axontest.Runtime(t)
		sink := axontest.NewSink[tagged]()
		sink.In.SetCap(capacity)
		sink.In.Pause()
		require.NoError(t, rt.Activate(sink))
		p := &threadedProducer{id: 1, n: (capacity + outCap) * (relinks + 1)}
		p.Out.Init(&p.Component, "outbox", outCap)
		require.NoError(t, rt.Activate(p)) // not linked: it fills its outbox
		for range relinks {
			eventually(t, "the outbox to fill", func() bool { return p.Out.Len() >= outCap })
			l := mustLink(t, &p.Out, &sink.In)
			if n := sink.In.Len(); n > capacity {
				t.Logf("an inbox of capacity %d holds %d after a relink", capacity, n)
				return false
			}
			l.Unlink()
		}
		mustLink(t, &p.Out, &sink.In)
		sink.In.Resume()
		eventually(t, "every message delivered", func() bool { return len(sink.Messages()) >= p.n })
		got := sink.Messages()
		if len(got) != p.n {
			t.Logf("%d messages for %d sent", len(got), p.n)
			return false
		}
		for i, m := range got {
			if m.seq != i {
				t.Logf("message %d is %v", i, m)
				return false
			}
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 25}))
}

// relayUntil passes messages on until it has passed limit of them, then
// stops itself, leaving whatever waits in its inbox.
type relayUntil struct {
	axon.Component
	In     axon.Inbox[tagged]
	Out    axon.Outbox[tagged]
	limit  int
	passed int
}

func (r *relayUntil) Dispatch(t *axon.Turn) {
	axon.Serve(t, &r.In, func(m tagged) {
		if r.passed >= r.limit {
			return // stopping: the rest of the batch is not handled
		}
		r.Out.Send(m)
		if r.passed++; r.passed == r.limit {
			r.Stop()
		}
	})
}

// TestStoppedComponentsMessagesAreAccountedFor: a relay between threaded
// producers and a slow sink stops after a random number of messages.
// Every message the producers sent is either delivered to the sink (what
// the relay passed on, including what it held for lack of room when it
// stopped) or counted as dropped (what waited in its inbox, and what came
// after): none is silently gone, none counted twice, and producers waiting
// for room in the stopped relay's inbox are let go.
func TestStoppedComponentsMessagesAreAccountedFor(t *testing.T) {
	prop := func(c mailboxCase) bool {
		capacity := int(c.Cap%8) + 1
		producers := int(c.Producers%4) + 1
		perProd := int(c.PerProd%300) + 1
		total := producers * perProd
		rt := axontest.Runtime(t)
		sink := axontest.NewSink[tagged]()
		sink.In.SetCap(capacity)
		r := &relayUntil{limit: int(c.Seed % uint64(total+1))}
		r.In.Init(&r.Component, "inbox", capacity)
		r.Out.Init(&r.Component, "outbox", 0)
		mustLink(t, &r.Out, &sink.In)
		ps := make([]*threadedProducer, producers)
		for i := range ps {
			ps[i] = &threadedProducer{id: i, n: perProd}
			ps[i].Out.Init(&ps[i].Component, "outbox", 1)
			mustLink(t, &ps[i].Out, &r.In)
		}
		require.NoError(t, rt.Activate(sink, r))
		if r.limit == 0 {
			r.Stop()
		}
		for _, p := range ps {
			require.NoError(t, rt.Activate(p))
		}
		for _, p := range ps {
			axontest.WaitDone(t, p) // let go, even those that waited on the stopped relay
		}
		axontest.WaitDone(t, r)
		eventually(t, "every message delivered or counted", func() bool {
			return len(sink.Messages())+int(rt.Dropped()) >= total
		})
		got, dropped := len(sink.Messages()), int(rt.Dropped())
		if got+dropped != total || got != r.limit {
			t.Logf("%d sent: %d delivered (the relay passed %d), %d dropped", total, got, r.limit, dropped)
			return false
		}
		return true
	}
	require.NoError(t, quick.Check(prop, &quick.Config{MaxCount: 25}))
}
