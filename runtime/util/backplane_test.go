package util_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

func numbers(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// publish sends msgs to bp from a new Source, activated in rt.
func publish[T any](t *testing.T, rt *axon.Runtime, bp *util.Backplane[T], msgs ...T) *axontest.Source[T] {
	t.Helper()
	src := axontest.NewSource(msgs...)
	require.NoError(t, bp.Publish(&src.Out))
	require.NoError(t, rt.Activate(src))
	return src
}

func TestBackplaneGivesEverySubscriberEveryMessageInOrder(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	var sinks []*axontest.Sink[int]
	for range 3 {
		s := axontest.NewSink[int]()
		bp.Subscribe(&s.In, util.DefaultPolicy)
		sinks = append(sinks, s)
		require.NoError(t, rt.Activate(s))
	}
	require.NoError(t, rt.Activate(bp))
	publish(t, rt, bp, numbers(0, 1000)...)
	for _, s := range sinks {
		require.Equal(t, numbers(0, 1000), s.WaitCount(t, 1000))
	}
}

func TestBackplaneKeepsEachPublishersOrder(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	s := axontest.NewSink[int]()
	bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: 16})
	require.NoError(t, rt.Activate(s, bp))
	const n = 2000
	publish(t, rt, bp, numbers(0, n)...)
	publish(t, rt, bp, numbers(n, 2*n)...)
	got := s.WaitCount(t, 2*n)
	var a, b []int
	for _, m := range got {
		if m < n {
			a = append(a, m)
		} else {
			b = append(b, m)
		}
	}
	require.Equal(t, numbers(0, n), a)
	require.Equal(t, numbers(n, 2*n), b)
}

// TestSlowSubscriberSlowsNoOne: a subscriber that takes nothing loses what
// its policy says, counts it, and the others get everything.
func TestSlowSubscriberSlowsNoOne(t *testing.T) {
	for _, tc := range []struct {
		policy util.Policy
		kept   []int // what the slow subscriber is given once it reads again
	}{
		{util.Policy{Full: util.DropNewest, Max: 10}, numbers(0, 10)},
		{util.Policy{Full: util.DropOldest, Max: 10}, numbers(990, 1000)},
	} {
		t.Run(tc.policy.Full.String(), func(t *testing.T) {
			rt := axontest.Runtime(t)
			bp := util.NewBackplane[int]("numbers")
			slow, fast := axontest.NewSink[int](), axontest.NewSink[int]()
			slow.In.Pause()
			sub := bp.Subscribe(&slow.In, tc.policy)
			bp.Subscribe(&fast.In, util.Policy{Full: util.DropNewest, Max: 1000})
			require.NoError(t, rt.Activate(slow, fast, bp))
			publish(t, rt, bp, numbers(0, 1000)...)
			require.Equal(t, numbers(0, 1000), fast.WaitCount(t, 1000))
			require.Equal(t, int64(990), sub.Lost())
			slow.In.Resume()
			slow.Notify()
			require.Equal(t, tc.kept, slow.WaitCount(t, 10))
			require.NoError(t, sub.Err())
		})
	}
}

func TestDisconnectedSubscriberFails(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	slow, fast := axontest.NewSink[int](), axontest.NewSink[int]()
	slow.In.Pause()
	sub := bp.Subscribe(&slow.In, util.Policy{Full: util.Disconnect, Max: 100})
	bp.Subscribe(&fast.In, util.DefaultPolicy)
	require.NoError(t, rt.Activate(slow, fast, bp))
	publish(t, rt, bp, numbers(0, 500)...)
	require.Equal(t, numbers(0, 500), fast.WaitCount(t, 500))
	axontest.WaitDone(t, slow)
	var slowErr *util.SlowSubscriberError
	require.ErrorAs(t, slow.Err(), &slowErr)
	require.Equal(t, "numbers", slowErr.Backplane)
	require.Contains(t, slowErr.Error(), "reached its bound (100 messages)")
	require.Equal(t, int64(100), slowErr.Lost)
	require.Same(t, slowErr, sub.Err())
	require.Equal(t, int64(100), sub.Lost(), "what it held when it was disconnected")
}

// TestDisconnectAfterGrace: a subscriber over its soft bound is
// disconnected once it has stayed there longer than its grace, not before.
func TestDisconnectAfterGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := axon.NewRuntime()
		defer rt.Close()
		bp := util.NewBackplane[int]("numbers")
		slow := axontest.NewSink[int]()
		slow.In.Pause()
		sub := bp.Subscribe(&slow.In, util.Policy{Full: util.Disconnect, Max: 1000, Soft: 10, Grace: time.Minute})
		require.NoError(t, rt.Activate(slow, bp))
		send := func(n int) {
			for i := range n {
				require.NoError(t, bp.In.Put(context.Background(), i))
			}
			synctest.Wait()
		}
		send(20) // over the soft bound from now on
		time.Sleep(59 * time.Second)
		send(1)
		require.False(t, slow.Finished(), "disconnected within its grace")
		time.Sleep(2 * time.Second)
		send(1)
		<-slow.Done()
		require.ErrorContains(t, sub.Err(), "more than 10 messages waited for it for over 1m0s")
		rt.StopAll()
		require.ErrorIs(t, rt.Wait(context.Background()), sub.Err())
	})
}

// TestBlockLosesNothing: a Block subscriber holds the publisher back
// rather than lose anything.
func TestBlockLosesNothing(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	slow := axontest.NewSink[int]()
	slow.In.Pause()
	sub := bp.Subscribe(&slow.In, util.Policy{Full: util.Block, Max: 5})
	require.NoError(t, rt.Activate(slow, bp))
	src := publish(t, rt, bp, numbers(0, 300)...)
	require.Eventually(t, func() bool { return slow.In.Len() == 5 }, axontest.Timeout, time.Millisecond, "the subscription fills")
	require.False(t, src.Finished(), "the publisher waits")
	require.Empty(t, slow.Messages())
	slow.In.Resume()
	slow.Notify()
	require.Equal(t, numbers(0, 300), slow.WaitCount(t, 300))
	require.Zero(t, sub.Lost())
}

// TestBlockWaitsAtMostItsGrace: past its grace a full Block subscriber is
// disconnected and the others get the rest.
func TestBlockWaitsAtMostItsGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := axon.NewRuntime()
		defer rt.Close()
		bp := util.NewBackplane[int]("numbers")
		slow, other := axontest.NewSink[int](), axontest.NewSink[int]()
		slow.In.Pause()
		sub := bp.Subscribe(&slow.In, util.Policy{Full: util.Block, Max: 5, Grace: 10 * time.Second})
		bp.Subscribe(&other.In, util.Policy{Full: util.Block, Max: 100})
		require.NoError(t, rt.Activate(slow, other, bp))
		go func() {
			for i := range 20 {
				_ = bp.In.Put(context.Background(), i)
			}
		}()
		synctest.Wait()
		require.Len(t, other.Messages(), 5, "held back with the slow one")
		time.Sleep(11 * time.Second)
		synctest.Wait()
		<-slow.Done()
		require.ErrorContains(t, sub.Err(), "stayed full (5 messages) for 10s")
		require.Equal(t, numbers(0, 20), other.Messages())
		rt.StopAll()
		require.ErrorIs(t, rt.Wait(context.Background()), sub.Err())
	})
}

// TestSubscriptionBeginsAtActivation: a subscriber is given what is
// published after its component became active, and nothing once it has
// finished; the backplane forgets it.
func TestSubscriptionBeginsAtActivation(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	early := axontest.NewSink[int]()
	bp.Subscribe(&early.In, util.DefaultPolicy)
	require.NoError(t, rt.Activate(early, bp))
	publish(t, rt, bp, 1, 2, 3)
	early.WaitCount(t, 3)
	late := axontest.NewSink[int]()
	bp.Subscribe(&late.In, util.DefaultPolicy)
	require.NoError(t, rt.Activate(late))
	early.Stop()
	axontest.WaitDone(t, early)
	publish(t, rt, bp, 4, 5)
	require.Equal(t, []int{4, 5}, late.WaitCount(t, 2))
	require.Equal(t, []int{1, 2, 3}, early.Messages())
	require.Zero(t, rt.Dropped(), "nothing was sent to the finished subscriber")
}

func TestSubscribingTwiceFails(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	s := axontest.NewSink[int]()
	bp.Subscribe(&s.In, util.DefaultPolicy)
	sub := bp.Subscribe(&s.In, util.DefaultPolicy)
	require.ErrorContains(t, sub.Err(), "subscribed already")
	_ = rt.Activate(s, bp)
	axontest.WaitDone(t, s)
	require.ErrorContains(t, s.Err(), "subscribed already")
}

// TestKamaeliaChatPipeline: Kamaelia's chat server's handler,
// Pipeline(PublishTo("chat"), SubscribeTo("chat")), started before its
// backplane: once subscribed, every message reaches every subscriber.
func TestKamaeliaChatPipeline(t *testing.T) {
	rt := axontest.Runtime(t)
	var outs []*axontest.Sink[string]
	var subs []*util.SubscribeTo[string]
	for range 2 {
		sub := util.NewSubscribeTo[string]("chat")
		subs = append(subs, sub)
		p := chassis.Pipeline2(util.NewPublishTo[string]("chat"), sub)
		out := sinkFor(t, p)
		outs = append(outs, out)
		require.NoError(t, rt.Activate(p, out))
	}
	pub := util.NewPublishTo[string]("chat")
	src := axontest.NewSource("hello", "world")
	axontest.Link(t, &src.Out, &pub.In)
	require.NoError(t, rt.Activate(pub))
	require.NoError(t, rt.Activate(util.NewBackplane[string]("chat")))
	require.Eventually(t, func() bool { return util.Subscribed(subs[0]) && util.Subscribed(subs[1]) }, axontest.Timeout, time.Millisecond)
	require.NoError(t, rt.Activate(src))
	for i, out := range outs {
		require.Equal(t, []string{"hello", "world"}, out.WaitCount(t, 2))
		require.Zero(t, subs[i].Lost())
	}
}

func TestBackplaneTypesAreChecked(t *testing.T) {
	rt := axontest.Runtime(t)
	require.NoError(t, rt.Activate(util.NewBackplane[int]("numbers")))
	sub := util.NewSubscribeTo[[]byte]("numbers")
	require.NoError(t, rt.Activate(sub))
	axontest.WaitDone(t, sub)
	require.EqualError(t, sub.Err(), `util: backplane "numbers" carries int, not []uint8: publish and subscribe to it with that type, or use another name`)
}

func TestBackplaneNamesArePerRuntime(t *testing.T) {
	a, b := axontest.Runtime(t), axontest.Runtime(t)
	for i, rt := range []*axon.Runtime{a, b} {
		bp := util.NewBackplane[string]("chat")
		s := axontest.NewSink[string]()
		bp.Subscribe(&s.In, util.DefaultPolicy)
		require.NoError(t, rt.Activate(bp, s))
		publish(t, rt, bp, fmt.Sprint("runtime ", i))
		require.Equal(t, []string{fmt.Sprint("runtime ", i)}, s.WaitCount(t, 1))
	}
	twin := util.NewBackplane[string]("chat")
	require.NoError(t, a.Activate(twin))
	axontest.WaitDone(t, twin)
	require.ErrorContains(t, twin.Err(), `a backplane named "chat" runs already`)
}

// talker publishes from, from+1, ... from+n-1 when it hears start, and
// passes on what it hears.
type talker struct {
	axon.Component
	Heard axon.Inbox[int]
	Say   axon.Outbox[int]
	from  int
	n     int
	heard chan int
}

func newTalker(bp *util.Backplane[int], from, n int) *talker {
	c := &talker{from: from, n: n, heard: make(chan int, 4096)}
	c.Heard.Init(&c.Component, "heard", 0)
	c.Say.Init(&c.Component, "say", 0)
	if err := bp.Publish(&c.Say); err != nil {
		panic(err)
	}
	bp.Subscribe(&c.Heard, util.DefaultPolicy)
	return c
}

// start is what talkers wait for: they are all subscribed by then.
const start = 1000

func (c *talker) Dispatch(t *axon.Turn) {
	axon.Serve(t, &c.Heard, func(m int) {
		c.heard <- m
		if m == start {
			for i := range c.n {
				c.Say.Send(c.from + i)
			}
		}
	})
}

// until returns what c heard up to end, which it does not include.
func (c *talker) until(t *testing.T, end int) []int {
	t.Helper()
	var got []int
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-c.heard:
			if m == end {
				return got
			}
			got = append(got, m)
		case <-deadline:
			t.Fatalf("%d not heard; heard %v", end, got)
		}
	}
}

// A component that publishes and subscribes hears the others, not itself:
// a chat client is not sent its own lines.
func TestSubscriberDoesNotHearItself(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("room")
	a, b := newTalker(bp, 0, 100), newTalker(bp, 500, 100)
	all := axontest.NewSink[int]()
	bp.Subscribe(&all.In, util.DefaultPolicy)
	require.NoError(t, rt.Activate(bp, all, a, b))
	publish(t, rt, bp, numbers(start, start+10)...)
	require.Len(t, all.WaitCount(t, 210), 210, "a listener that does not talk hears everyone")

	// Everything is published: what a talker hears before this last
	// message is all it will ever hear of the others.
	const end = 9999
	publish(t, rt, bp, end)
	for _, c := range []struct {
		*talker
		other []int
	}{{a, numbers(500, 600)}, {b, numbers(0, 100)}} {
		var others, source []int
		for _, m := range c.until(t, end) {
			if m >= start {
				source = append(source, m)
			} else {
				others = append(others, m)
			}
		}
		require.Equal(t, numbers(start, start+10), source)
		require.Equal(t, c.other, others, "the other talker's messages, in order, and none of its own")
	}
}

// puller is a threaded subscriber: it takes what it is given with Recv.
type puller struct {
	axon.Component
	In   axon.Inbox[int]
	got  []int
	want int
	done chan struct{}
}

func (p *puller) Main(ctx context.Context) error {
	defer close(p.done)
	for len(p.got) < p.want {
		m, err := p.In.Recv(ctx)
		if err != nil {
			return err
		}
		p.got = append(p.got, m)
	}
	return nil
}

// TestSubscribersAreWokenForEveryPublication: publications that come as a
// subscriber finds its queue empty, and goes idle, wake it; none is left
// waiting unseen, for a reactive subscriber (Len at the end of its turn)
// or a threaded one (Recv), under every policy that loses nothing while
// the subscriber keeps up. The publisher pauses at random, so that the
// subscribers go idle often.
func TestSubscribersAreWokenForEveryPublication(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	const n = 20000
	var sinks []*axontest.Sink[int]
	for _, p := range []util.Policy{
		{Full: util.Block, Max: 4},
		{Full: util.Block, Max: 256},
		{Full: util.Disconnect, Max: n, Soft: n},
	} {
		s := axontest.NewSink[int]()
		bp.Subscribe(&s.In, p)
		sinks = append(sinks, s)
	}
	pull := &puller{want: n, done: make(chan struct{})}
	pull.In.Init(&pull.Component, "inbox", 0)
	bp.Subscribe(&pull.In, util.Policy{Full: util.Block, Max: 8})
	for _, s := range sinks {
		require.NoError(t, rt.Activate(s))
	}
	require.NoError(t, rt.Activate(pull, bp))
	ctx, cancel := context.WithTimeout(t.Context(), axontest.Timeout)
	defer cancel()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		require.NoError(t, bp.In.Put(ctx, i))
		switch r.IntN(64) {
		case 0:
			runtime.Gosched()
		case 1:
			time.Sleep(time.Microsecond) // the subscribers drain, and rest
		}
	}
	for _, s := range sinks {
		require.Equal(t, numbers(0, n), s.WaitCount(t, n))
	}
	select {
	case <-pull.done:
	case <-ctx.Done():
		t.Fatalf("the threaded subscriber has %d of %d", len(pull.got), n)
	}
	require.Equal(t, numbers(0, n), pull.got)
}

// burster publishes, in one turn, as many numbers as each message it is
// given says, and one more as it stops.
type burster struct {
	axon.Component
	In  axon.Inbox[int]
	Out axon.Outbox[int]
	n   int
}

func (b *burster) Dispatch(t *axon.Turn) { axon.Serve(t, &b.In, b.onIn) }

func (b *burster) onIn(k int) {
	for range k {
		b.Out.Send(b.n)
		b.n++
	}
}

func (b *burster) OnStop() { b.Out.Send(b.n) }

// TestATurnsPublicationsAreSeenWhenItEnds: what a component publishes in
// a turn is made visible to the subscribers when the turn ends, all at
// once (or every few dozen messages of a long turn): bursts of every size
// around that bound, and the last words of an OnStop, reach a reactive and
// a threaded subscriber, each burst before the next one is asked for.
func TestATurnsPublicationsAreSeenWhenItEnds(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	sink := axontest.NewSink[int]()
	bp.Subscribe(&sink.In, util.Policy{Full: util.Block, Max: 1024})
	bursts := []int{1, 2, 31, 32, 33, 64, 65, 100, 1}
	total := 0
	for _, k := range bursts {
		total += k
	}
	pull := &puller{want: total + 1, done: make(chan struct{})}
	pull.In.Init(&pull.Component, "inbox", 0)
	bp.Subscribe(&pull.In, util.Policy{Full: util.Block, Max: 1024})
	src := &burster{}
	src.In.Init(&src.Component, "inbox", 0)
	src.Out.Init(&src.Component, "outbox", 0)
	require.NoError(t, bp.Publish(&src.Out))
	require.NoError(t, rt.Activate(sink, pull, bp, src))
	n := 0
	for _, k := range bursts {
		require.NoError(t, src.In.Deliver(k))
		n += k
		require.Equal(t, numbers(0, n), sink.WaitCount(t, n), "after a burst of %d", k)
	}
	src.Stop()
	require.Equal(t, numbers(0, n+1), sink.WaitCount(t, n+1), "the last words of OnStop")
	select {
	case <-pull.done:
	case <-time.After(axontest.Timeout):
		t.Fatalf("the threaded subscriber has %d of %d", len(pull.got), n+1)
	}
	require.Equal(t, numbers(0, n+1), pull.got)
}

// TestConcurrentPublishersLoseNothingUnderBlock: reactive components
// publishing at once, in bursts of every size, to Block subscriptions
// smaller and larger than what a turn publishes before it is made visible:
// every subscriber is given every message, each publisher's in order, and
// none is let through past a full queue (Lost).
func TestConcurrentPublishersLoseNothingUnderBlock(t *testing.T) {
	const publishers, each = 4, 1500
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	var sinks []*axontest.Sink[int]
	var subs []*util.Subscription
	for _, max := range []int{1, 8, 40, 1024} {
		s := axontest.NewSink[int]()
		subs = append(subs, bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: max}))
		sinks = append(sinks, s)
		require.NoError(t, rt.Activate(s))
	}
	require.NoError(t, rt.Activate(bp))
	var srcs []*burster
	for i := range publishers {
		src := &burster{n: i * each}
		src.In.Init(&src.Component, "inbox", each)
		src.Out.Init(&src.Component, "outbox", 0)
		require.NoError(t, bp.Publish(&src.Out))
		require.NoError(t, rt.Activate(src))
		srcs = append(srcs, src)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range srcs {
		for left := each; left > 0; {
			k := min(left, 1+rng.IntN(100))
			require.NoError(t, src.In.Deliver(k))
			left -= k
		}
	}
	for i, s := range sinks {
		got := s.WaitCount(t, publishers*each)
		per := make([][]int, publishers)
		for _, m := range got {
			per[m/each] = append(per[m/each], m)
		}
		for p := range publishers {
			require.Equal(t, numbers(p*each, (p+1)*each), per[p], "subscriber %d, publisher %d", i, p)
		}
		require.Zero(t, subs[i].Lost(), "subscriber %d", i)
	}
}

// joiner publishes 1, activates late (a subscriber of the same
// backplane), if any, calls between, and publishes after, all in one
// turn.
type joiner struct {
	axon.Component
	In      axon.Inbox[int]
	Out     axon.Outbox[int]
	late    axon.Part
	between func()
	after   []int
}

func newJoiner(late axon.Part, between func(), after ...int) *joiner {
	j := &joiner{late: late, between: between, after: after}
	j.In.Init(&j.Component, "inbox", 0)
	j.Out.Init(&j.Component, "outbox", 0)
	return j
}

func (j *joiner) Dispatch(t *axon.Turn) {
	axon.Serve(t, &j.In, func(int) {
		j.Out.Send(1)
		if j.late != nil {
			if err := j.Runtime().Activate(j.late); err != nil {
				j.Fail(err)
			}
		}
		if j.between != nil {
			j.between()
		}
		for _, m := range j.after {
			j.Out.Send(m)
		}
	})
}

// TestATurnsRoomIsKeptForIt: what a turn publishes is given to the
// subscribers when it ends, and the room it needs in a Block subscription
// is kept for it meanwhile: another sender finds none, and nothing is let
// past the bound.
func TestATurnsRoomIsKeptForIt(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	s := axontest.NewSink[int]()
	sub := bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: 4})
	var err error
	j := newJoiner(nil, func() { err = bp.In.Deliver(100) }, 2, 3, 4)
	require.NoError(t, bp.Publish(&j.Out))
	require.NoError(t, rt.Activate(s, bp, j))
	require.NoError(t, j.In.Deliver(0))
	require.Equal(t, []int{1, 2, 3, 4}, s.WaitCount(t, 4))
	require.ErrorIs(t, err, axon.ErrNoSpace, "the room the turn needs was kept for it")
	require.Zero(t, sub.Lost())
}

// TestSubscriberJoiningDuringATurnIsGivenWhatFollows: a subscriber that
// becomes active during a publisher's turn is given what is published
// after, by that turn and by others, and not what the turn published
// before.
func TestSubscriberJoiningDuringATurnIsGivenWhatFollows(t *testing.T) {
	for _, other := range []bool{false, true} {
		t.Run(fmt.Sprintf("other=%v", other), func(t *testing.T) {
			rt := axontest.Runtime(t)
			bp := util.NewBackplane[int]("numbers")
			early, late := axontest.NewSink[int](), axontest.NewSink[int]()
			for _, s := range []*axontest.Sink[int]{early, late} {
				bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: 64})
			}
			var between func()
			want, wantLate := []int{1, 2}, []int{2}
			if other { // another publisher, between: it is the first to see late
				between = func() { require.NoError(t, bp.In.Deliver(100)) }
				want, wantLate = []int{1, 2, 100}, []int{100, 2}
			}
			j := newJoiner(late, between, 2)
			require.NoError(t, bp.Publish(&j.Out))
			require.NoError(t, rt.Activate(early, bp, j))
			require.NoError(t, j.In.Deliver(0))
			got := early.WaitCount(t, len(want))
			require.ElementsMatch(t, want, got)
			require.Less(t, slices.Index(got, 1), slices.Index(got, 2), "one publisher's order")
			require.Equal(t, wantLate, late.WaitCount(t, len(wantLate)))
		})
	}
}

// TestRoomIsNotKeptInThePublishersOwnSubscription: the room a turn keeps
// is in the subscriptions it gives to, not in its own component's, which
// it never writes to: another sender's message to that component goes
// through.
func TestRoomIsNotKeptInThePublishersOwnSubscription(t *testing.T) {
	rt := axontest.Runtime(t)
	bp := util.NewBackplane[int]("numbers")
	s := axontest.NewSink[int]()
	bp.Subscribe(&s.In, util.Policy{Full: util.Block, Max: 64})
	var err error
	j := newJoiner(nil, func() { err = bp.In.Deliver(100) })
	hears := axon.NewInbox[int](&j.Component, "hears", 0)
	bp.Subscribe(hears, util.Policy{Full: util.Block, Max: 8})
	require.NoError(t, bp.Publish(&j.Out))
	require.NoError(t, rt.Activate(s, bp, j))
	require.NoError(t, j.In.Deliver(0))
	require.ElementsMatch(t, []int{1, 100}, s.WaitCount(t, 2))
	require.NoError(t, err)
	require.Equal(t, 1, hears.Len(), "the publisher hears the other sender, not itself")
}
