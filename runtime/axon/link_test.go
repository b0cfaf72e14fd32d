package axon_test

import (
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/internal/links"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conformance with Kamaelia's test_Linkage.py and test_Postoffice.py.

// Mirrors test_Linkage.py: a linkage records its source, sink and kind, and
// prints as Kamaelia does.
func TestLinkageRecordsEnds(t *testing.T) {
	a, b := newCounting(), newCounting()
	l, err := axon.Link(&a.Out, &b.In)
	require.NoError(t, err)
	assert.Equal(t, axon.BoxRef(&a.Out), l.Source())
	assert.Equal(t, axon.BoxRef(&b.In), l.Sink())
	assert.Equal(t, axon.Normal, l.Kind())
	assert.Equal(t, "Link( source:[*axon.Component,outbox], sink:[*axon.Component,inbox] )", l.String(),
		"unactivated components have no id yet")

	p1, err := axon.WireIn(&a.In, &b.Extra).Link()
	require.NoError(t, err)
	assert.Equal(t, axon.PassthroughIn, p1.Kind())
	p2, err := axon.WireOut(&b.Extra2, &a.Extra2).Link()
	require.NoError(t, err)
	assert.Equal(t, axon.PassthroughOut, p2.Kind())

	w := axon.Wire(&b.Out, &a.Extra)
	assert.Equal(t, axon.BoxRef(&b.Out), w.Source())
	assert.Equal(t, axon.BoxRef(&a.Extra), w.Sink())
	l4, err := w.Link()
	require.NoError(t, err)
	assert.Equal(t, axon.Normal, l4.Kind())
	_, err = axon.Wiring{}.Link()
	require.Error(t, err)
}

// Mirrors test_Postoffice.py :: BoxAlreadyLinkedToDestination: a box has
// one destination; after unlinking, a new link succeeds.
func TestOneDestinationPerBox(t *testing.T) {
	a, b, c := newCounting(), newCounting(), newCounting()
	l := mustLink(t, &a.Out, &b.In)
	_, err := axon.Link(&a.Out, &c.In)
	require.ErrorIs(t, err, axon.ErrAlreadyLinked)
	assert.Contains(t, err.Error(), "outbox")
	l.Unlink()
	l.Unlink() // idempotent
	mustLink(t, &a.Out, &c.In)
	require.True(t, a.Out.Offer(1))
	assert.Equal(t, 0, b.In.Len())
	assert.Equal(t, 1, c.In.Len())
}

// Fan-in: many outboxes may feed one inbox.
func TestFanIn(t *testing.T) {
	a, b, c := newCounting(), newCounting(), newCounting()
	mustLink(t, &a.Out, &c.In)
	mustLink(t, &b.Out, &c.In)
	require.True(t, a.Out.Offer(1))
	require.True(t, b.Out.Offer(2))
	assert.Equal(t, 2, c.In.Len())
}

// A chain of inbox passthroughs that loops back is refused.
func TestLinkCycleRefused(t *testing.T) {
	a, b := newCounting(), newCounting()
	_, err := axon.WireIn(&a.In, &b.In).Link()
	require.NoError(t, err)
	_, err = axon.WireIn(&b.In, &a.In).Link()
	require.ErrorIs(t, err, axon.ErrLinkCycle)
	_, err = axon.WireIn(&a.Extra, &a.Extra).Link()
	require.ErrorIs(t, err, axon.ErrLinkCycle)
}

// Mirrors test_Postoffice.py :: linkagechaining: delivery reaches the final
// inbox whatever order the chain was built in.
func TestChainsDeliverToTheEnd(t *testing.T) {
	type build func(src, mid, dst *counting) []*axon.Linkage
	cases := map[string]build{
		"Simple": func(s, _, d *counting) []*axon.Linkage {
			return []*axon.Linkage{mustLink(t, &s.Out, &d.In)}
		},
		"SimpleThenInboxPassthrough": func(s, m, d *counting) []*axon.Linkage {
			l1 := mustLink(t, &s.Out, &m.In)
			l2, err := axon.WireIn(&m.In, &d.In).Link()
			require.NoError(t, err)
			return []*axon.Linkage{l1, l2}
		},
		"InboxPassthroughThenNormal": func(s, m, d *counting) []*axon.Linkage {
			l2, err := axon.WireIn(&m.In, &d.In).Link()
			require.NoError(t, err)
			return []*axon.Linkage{mustLink(t, &s.Out, &m.In), l2}
		},
		"SimpleThenOutboxPassthrough": func(s, m, d *counting) []*axon.Linkage {
			l1 := mustLink(t, &m.Out, &d.In)
			l2, err := axon.WireOut(&s.Out, &m.Out).Link()
			require.NoError(t, err)
			return []*axon.Linkage{l1, l2}
		},
		"OutboxPassthroughThenNormal": func(s, m, d *counting) []*axon.Linkage {
			l2, err := axon.WireOut(&s.Out, &m.Out).Link()
			require.NoError(t, err)
			return []*axon.Linkage{l2, mustLink(t, &m.Out, &d.In)}
		},
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			s, m, d := newCounting(), newCounting(), newCounting()
			b(s, m, d)
			require.True(t, s.Out.Offer(42))
			assert.Equal(t, 1, d.In.Len(), "delivered to the end")
			assert.Equal(t, 0, m.In.Len(), "nothing stays in the middle")
			assert.Equal(t, 0, m.Out.Len())
			assert.Equal(t, 0, s.Out.Len())
		})
	}
}

// Mirrors test_Postoffice.py :: InboxPassthroughDeletion: after the
// inbox-to-inbox link is removed, delivery stops at the middle inbox.
func TestInboxPassthroughDeletion(t *testing.T) {
	s, m, d := newCounting(), newCounting(), newCounting()
	mustLink(t, &s.Out, &m.In)
	p, err := axon.WireIn(&m.In, &d.In).Link()
	require.NoError(t, err)
	require.True(t, s.Out.Offer(1))
	p.Unlink()
	require.True(t, s.Out.Offer(2))
	assert.Equal(t, 1, d.In.Len())
	assert.Equal(t, 1, m.In.Len())
	got, _ := m.In.TryRecv()
	assert.Equal(t, 2, got)
}

// Mirrors test_Postoffice.py :: SizeLimitedBoxes.
func TestSizeLimitedBoxes(t *testing.T) {
	t.Run("limit of five", func(t *testing.T) {
		s, d := newCounting(), newCounting()
		mustLink(t, &s.Out, &d.In)
		d.In.SetCap(5)
		for i := range 5 {
			require.True(t, s.Out.Offer(i))
		}
		require.False(t, s.Out.Offer(5), "no room: nothing is kept")
		for range 3 {
			_, ok := d.In.TryRecv()
			require.True(t, ok)
		}
		for i := range 3 {
			require.True(t, s.Out.Offer(i))
		}
		require.False(t, s.Out.Offer(9))
		require.ErrorIs(t, d.In.Deliver(9), axon.ErrNoSpace)
	})
	t.Run("limit mid-chain has no effect until the chain is broken", func(t *testing.T) {
		s, m, d := newCounting(), newCounting(), newCounting()
		mustLink(t, &s.Out, &m.In)
		p, err := axon.WireIn(&m.In, &d.In).Link()
		require.NoError(t, err)
		m.In.SetCap(5)
		for i := range 10 {
			require.True(t, s.Out.Offer(i))
		}
		p.Unlink()
		for i := range 5 {
			require.True(t, s.Out.Offer(i))
		}
		require.False(t, s.Out.Offer(5))
	})
	t.Run("raising the limit", func(t *testing.T) {
		s, d := newCounting(), newCounting()
		mustLink(t, &s.Out, &d.In)
		d.In.SetCap(5)
		for i := range 5 {
			require.True(t, s.Out.Offer(i))
		}
		d.In.SetCap(505)
		for i := range 500 {
			require.True(t, s.Out.Offer(i))
		}
		d.In.SetCap(0)
		assert.Equal(t, axon.DefaultCapacity, d.In.Cap(), "zero restores the default")
	})
	t.Run("all producers see the same limit", func(t *testing.T) {
		// Two producers direct, two through an outbox passthrough.
		d := newCounting()
		d.In.SetCap(16)
		p1, p2, p3, p4, mid := newCounting(), newCounting(), newCounting(), newCounting(), newCounting()
		mustLink(t, &p1.Out, &d.In)
		mustLink(t, &p2.Out, &d.In)
		mustLink(t, &mid.Out, &d.In)
		_, err := axon.WireOut(&p3.Out, &mid.Out).Link()
		require.NoError(t, err)
		_, err = axon.WireOut(&p4.Out, &mid.Extra2).Link()
		require.NoError(t, err)
		mustLink(t, &mid.Extra2, &d.In)
		producers := []*axon.Outbox[int]{&p1.Out, &p2.Out, &p3.Out, &p4.Out}
		sent := 0
		for i := 0; i < 16; i++ {
			require.True(t, producers[i%4].Offer(i))
			sent++
		}
		for _, p := range producers {
			require.False(t, p.Offer(0))
		}
		assert.Equal(t, 16, d.In.Len())
	})
}

// The notification rules of test_Component.py :: MessageDeliveryNotifications,
// for reactive components: a component runs when a message reaches the end
// of a chain at its inbox, and only then.
func TestDeliveryWakesOnlyTheFinalDestination(t *testing.T) {
	rt := newRT(t)
	a, b, c, d := newCounting(), newCounting(), newCounting(), newCounting()
	// a.out -> b.in => c.in => d.in (inbox passthroughs)
	mustLink(t, &a.Out, &b.In)
	_, err := axon.WireIn(&b.In, &c.In).Link()
	require.NoError(t, err)
	_, err = axon.WireIn(&c.In, &d.In).Link()
	require.NoError(t, err)
	require.NoError(t, rt.Activate(a, b, c, d))
	idle(t, rt)
	// NothingHappensIfNothingHappens: after its first turn, nobody runs.
	before := []int64{a.turns.Load(), b.turns.Load(), c.turns.Load(), d.turns.Load()}
	idle(t, rt)
	assert.Equal(t, before, []int64{a.turns.Load(), b.turns.Load(), c.turns.Load(), d.turns.Load()})

	// ConsumerWokenByDelivery, ChainOnlyFinalDestinationNotified,
	// ProducerNotWokenByDelivery.
	require.True(t, a.Out.Offer(1))
	idle(t, rt)
	assert.Equal(t, int64(1), d.got.Load())
	assert.Equal(t, before[3]+1, d.turns.Load(), "d woken exactly once")
	assert.Equal(t, before[:3], []int64{a.turns.Load(), b.turns.Load(), c.turns.Load()},
		"neither the sender nor the intermediate inboxes' owners run")
}

// Mirrors ProducerWokenByCollection and LinkBroken/LinkReestablished: a
// producer held up by a full destination resumes when the consumer takes a
// message; after the chain is broken and remade it resumes again.
func TestProducerResumesWhenRoomAppears(t *testing.T) {
	rt := newRT(t)
	src := newPump(3)
	dst := newCounting() // never activated: it only stores
	dst.In.SetCap(2)
	l0 := mustLink(t, &src.Out, &dst.In)
	require.NoError(t, rt.Activate(src))
	require.NoError(t, src.In.Deliver(0)) // start pumping
	idle(t, rt)
	assert.Equal(t, 2, dst.In.Len(), "two delivered")
	assert.Equal(t, 1, src.Out.Pending(), "the third waits in the outbox")
	assert.Equal(t, 1, src.handled, "the pump is not given new messages while it waits")
	require.NoError(t, src.In.Deliver(0))
	idle(t, rt)
	assert.Equal(t, 1, src.handled)

	_, _ = dst.In.TryRecv()
	idle(t, rt)
	assert.Equal(t, 2, dst.In.Len(), "room for one: the waiting message went")
	assert.Equal(t, 2, src.handled, "and the pump went on with its next message")
	assert.Equal(t, 3, src.Out.Pending(), "whose three messages wait in turn")

	// LinkBroken / LinkReestablished: moved to a new destination, the
	// waiting messages go there.
	other := newCounting()
	l0.Unlink()
	mustLink(t, &src.Out, &other.In)
	idle(t, rt)
	assert.Equal(t, 3, other.In.Len())
	assert.Equal(t, 0, src.Out.Pending())
}

// pump sends n messages for each message it receives.
type pump struct {
	axon.Component
	In      axon.Inbox[int]
	Out     axon.Outbox[int]
	n       int
	handled int
}

func newPump(n int) *pump {
	p := &pump{n: n}
	p.In.Init(&p.Component, "inbox", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *pump) Dispatch(t *axon.Turn) {
	axon.Serve(t, &p.In, func(int) {
		p.handled++
		for i := range p.n {
			p.Out.Send(i)
		}
	})
}

// Offer keeps nothing when the destination is full, and the owner gets a
// turn when room appears.
func TestOfferWakesWhenRoomAppears(t *testing.T) {
	rt := newRT(t)
	o := &offerer{turns: make(chan int, 64)}
	o.Out.Init(&o.Component, "outbox", 0)
	dst := newCounting() // not activated: only stores
	dst.In.SetCap(1)
	mustLink(t, &o.Out, &dst.In)
	require.NoError(t, rt.Activate(o))
	<-o.turns
	assert.True(t, o.Out.Offer(1))
	assert.False(t, o.Out.Offer(2), "full")
	assert.Equal(t, 0, o.Out.Pending(), "Offer keeps nothing")
	_, ok := dst.In.TryRecv()
	require.True(t, ok)
	select {
	case <-o.turns:
	case <-time.After(axontest.Timeout):
		t.Fatal("no turn when room appeared")
	}
	assert.True(t, o.Out.Offer(3))
}

type offerer struct {
	axon.Component
	Out   axon.Outbox[int]
	turns chan int
}

func (o *offerer) Dispatch(*axon.Turn) {}
func (o *offerer) OnTurnEnd()          { o.turns <- 1 }

// Join links like Link, with no handle.
func TestJoin(t *testing.T) {
	a, b := newCounting(), newCounting()
	require.NoError(t, links.Join(&a.Out, &b.In))
	require.True(t, a.Out.Offer(1))
	assert.Equal(t, 1, b.In.Len())
	require.ErrorIs(t, links.Join(&a.Out, &b.Extra), axon.ErrAlreadyLinked)
}

// Unjoin removes a link made without a handle.
func TestUnjoin(t *testing.T) {
	a, b := newCounting(), newCounting()
	require.NoError(t, links.Join(&a.Out, &b.In))
	links.Unjoin(&a.Out)
	links.Unjoin(&a.Out) // nothing to do
	require.True(t, a.Out.Offer(1))
	assert.Equal(t, 0, b.In.Len())
	assert.Equal(t, 1, a.Out.Len(), "kept in the unlinked outbox")
	require.NoError(t, links.Join(&a.Out, &b.In), "linkable again")
}
