package redisbridge_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/internal/redistest"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/redisbridge"
	"github.com/kamgen/kamgen/runtime/util"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// node is one process's side: a runtime with a backplane, its bridge to
// Redis, and a subscriber.
type node[T any] struct {
	rt     *axon.Runtime
	bp     *util.Backplane[T]
	bridge *redisbridge.Bridge[T]
	heard  *axontest.Sink[T]
	sub    *util.Subscription
}

func newNode[T any](t *testing.T, addr string) *node[T] {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	n := &node[T]{rt: axontest.Runtime(t), bp: util.NewBackplane[T]("room")}
	n.bridge = redisbridge.NewBridge(n.bp, client, "test:room")
	n.heard = axontest.NewSink[T]()
	n.sub = n.bp.Subscribe(&n.heard.In, util.Policy{Full: util.DropNewest, Max: 1 << 20})
	require.NoError(t, n.rt.Activate(n.bp, n.bridge, n.heard))
	return n
}

// publish sends msgs on the node's backplane.
func (n *node[T]) publish(t *testing.T, msgs ...T) {
	t.Helper()
	src := axontest.NewSource(msgs...)
	require.NoError(t, n.bp.Publish(&src.Out))
	require.NoError(t, n.rt.Activate(src))
	axontest.WaitDone(t, src)
}

// connected waits until a message published on a reaches b: both
// bridges are subscribed.
func connected(t *testing.T, a, b *node[[]byte]) {
	t.Helper()
	for i := 0; ; i++ {
		probe := fmt.Appendf(nil, "probe %d", i)
		a.publish(t, probe)
		deadline := time.Now().Add(200 * time.Millisecond)
		for time.Now().Before(deadline) {
			for _, m := range b.heard.Messages() {
				if string(m) == string(probe) {
					return
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		require.Less(t, i, 50, "the bridges never met on Redis")
	}
}

func strs(msgs [][]byte) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m)
	}
	return out
}

func without(msgs []string, prefix string) []string {
	var out []string
	for _, m := range msgs {
		if len(m) < len(prefix) || m[:len(prefix)] != prefix {
			out = append(out, m)
		}
	}
	return out
}

// TestTwoProcessesShareABackplane: what is published on either reaches
// the subscribers of both, once, in order.
func TestTwoProcessesShareABackplane(t *testing.T) {
	r := redistest.Start(t)
	a, b := newNode[[]byte](t, r.Addr), newNode[[]byte](t, r.Addr)
	connected(t, a, b)
	connected(t, b, a)
	var want []string
	for i := range 200 {
		want = append(want, fmt.Sprint("from a ", i))
	}
	msgs := make([][]byte, len(want))
	for i, w := range want {
		msgs[i] = []byte(w)
	}
	a.publish(t, msgs...)
	for _, n := range []*node[[]byte]{a, b} {
		n.heard.WaitFor(t, "200 messages", func() bool { return len(without(strs(n.heard.Messages()), "probe")) >= 200 })
	}
	time.Sleep(100 * time.Millisecond) // nothing more may come: not an echo, not a copy
	for _, n := range []*node[[]byte]{a, b} {
		require.Equal(t, want, without(strs(n.heard.Messages()), "probe"))
		require.Zero(t, n.sub.Lost())
	}
}

type event struct {
	Name  string
	Count int
}

func TestMessagesOtherThanBytesGoAsJSON(t *testing.T) {
	r := redistest.Start(t)
	a, b := newNode[event](t, r.Addr), newNode[event](t, r.Addr)
	// Wait until b's bridge is subscribed: it has seen one of a's.
	require.Eventually(t, func() bool {
		a.publish(t, event{Name: "probe"})
		return len(b.heard.Messages()) > 0
	}, redistest.Deadline, 50*time.Millisecond)
	a.publish(t, event{Name: "x", Count: 3})
	b.heard.WaitFor(t, "the event", func() bool {
		m := b.heard.Messages()
		return m[len(m)-1] == event{Name: "x", Count: 3}
	})
}

// TestRedisGoesAndComesBack: while Redis is away each process's
// subscribers still get its own messages; once it is back the bridges
// recover, and every message the other process published is either
// received or counted lost, never silently gone.
func TestRedisGoesAndComesBack(t *testing.T) {
	r := redistest.Start(t)
	a, b := newNode[[]byte](t, r.Addr), newNode[[]byte](t, r.Addr)
	connected(t, a, b)
	r.Kill(t)
	var during [][]byte
	for i := range 50 {
		during = append(during, fmt.Appendf(nil, "during %d", i))
	}
	a.publish(t, during...)
	a.heard.WaitFor(t, "a's own messages", func() bool { return len(without(strs(a.heard.Messages()), "probe")) == 50 })
	r.Restart(t)
	connected(t, a, b)
	connected(t, b, a)
	a.publish(t, []byte("after"))
	b.heard.WaitFor(t, "the message after", func() bool {
		m := b.heard.Messages()
		return string(m[len(m)-1]) == "after"
	})
	got := 0
	for _, m := range strs(b.heard.Messages()) {
		if len(m) > 6 && m[:6] == "during" {
			got++
		}
	}
	t.Logf("of 50 messages published while Redis was away, b got %d and counts %d lost", got, b.sub.Lost())
	require.Equal(t, int64(50-got), b.sub.Lost())
}

// TestForeignMessagesAreDropped: what another program publishes on the
// channel, not in a bridge's format, is logged and dropped.
func TestForeignMessagesAreDropped(t *testing.T) {
	r := redistest.Start(t)
	a, b := newNode[[]byte](t, r.Addr), newNode[[]byte](t, r.Addr)
	connected(t, a, b)
	raw := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer raw.Close()
	for _, m := range []string{"hello", "kamgen1 ", "kamgen1 x y\nbody", "kamgen1 x\n"} {
		require.NoError(t, raw.Publish(t.Context(), "test:room", m).Err())
	}
	a.publish(t, []byte("real"))
	b.heard.WaitFor(t, "the real message", func() bool {
		m := b.heard.Messages()
		return string(m[len(m)-1]) == "real"
	})
	require.Equal(t, []string{"real"}, without(strs(b.heard.Messages()), "probe"))
}
