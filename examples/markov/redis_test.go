package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/redistest"
)

// Two server processes' worth of runtimes, each with its own ServerCore,
// pointed at one real Redis: each learns from the other's clients.
func TestTwoServersShareOneRedisChain(t *testing.T) {
	redisAddr := startRedis(t)
	start := func() *extest.Server {
		return extest.Start(t, func(ctx context.Context, ready func(string)) error {
			return run(ctx, []string{"-addr", "127.0.0.1:0", "-redis", redisAddr}, strings.NewReader(""), io.Discard, ready)
		})
	}
	one, two := start(), start()
	a := newChatter(t, one.Addr)
	b := newChatter(t, two.Addr)

	// A fresh chain that learnt one line can only say that line.
	assert.Equal(t, "alpha beta gamma\n", a.say("alpha beta gamma\n"))
	assert.Equal(t, "alpha beta gamma\n", b.say("\n"), "server two knows what server one's client said")

	flush(t, redisAddr)
	assert.Equal(t, "delta epsilon\n", b.say("delta epsilon\n"))
	assert.Equal(t, "delta epsilon\n", a.say("\n"), "and the other way round")
}

// A Redis that would keep the chain without bound is refused at start, with
// what to set.
func TestUnboundedRedisIsRefused(t *testing.T) {
	for _, args := range [][]string{
		{},                                    // no maxmemory
		{"--maxmemory", "64mb"},               // and the default policy, noeviction: full, every Learn fails
		{"--maxmemory-policy", "allkeys-lru"}, // no maxmemory
	} {
		addr := startRedisWith(t, args...)
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-redis", addr}, strings.NewReader(""), io.Discard, nil)
		require.ErrorIs(t, err, ErrUnbounded, "redis-server %v", args)
		assert.Contains(t, err.Error(), "maxmemory-policy allkeys-lru")
	}
}

// Counts, not occurrences: a word seen three times as often is picked three
// times as often, and a pair keeps at most maxFollowers words, the most
// seen among them.
func TestRedisStoreCounts(t *testing.T) {
	client := redisClient(t, startRedis(t))
	store := NewRedisStore(client, "test:")
	ctx := t.Context()
	for range 3 {
		require.NoError(t, store.Learn(ctx, []string{"a", "b"}))
	}
	require.NoError(t, store.Learn(ctx, []string{"a", "c"}))
	const n = 4000
	b := 0
	for range n {
		w, ok, err := store.Next(ctx, start, "a")
		require.NoError(t, err)
		require.True(t, ok)
		if w == "b" {
			b++
		}
	}
	// 3 in 4; the standard deviation over 4,000 picks is 0.7 %.
	assert.InDelta(t, 0.75, float64(b)/n, 0.04)

	require.NoError(t, store.Learn(ctx, []string{"often"}))
	for i := range maxFollowers + 10 {
		require.NoError(t, store.Learn(ctx, []string{fmt.Sprintf("w%d", i)}))
	}
	firsts, err := client.HGetAll(ctx, store.key(start, start)).Result()
	require.NoError(t, err)
	assert.Len(t, firsts, maxFollowers)
	assert.Equal(t, "4", firsts["a"], "the most seen first word stays")
}

// The store's contract, on Redis: nothing seen is nothing said, and a word
// follows a pair only if it was seen after it.
func TestRedisStore(t *testing.T) {
	client := redisClient(t, startRedis(t))
	store := NewRedisStore(client, "test:")
	ctx := t.Context()
	_, ok, err := store.Next(ctx, start, start)
	require.NoError(t, err)
	assert.False(t, ok, "an empty chain has no first word")

	require.NoError(t, store.Learn(ctx, []string{"a", "b"}))
	require.NoError(t, store.Learn(ctx, []string{"a", "c"}))
	seen := map[string]bool{}
	for range 50 {
		w, ok, err := store.Next(ctx, start, "a")
		require.NoError(t, err)
		require.True(t, ok)
		seen[w] = true
	}
	assert.Equal(t, map[string]bool{"b": true, "c": true}, seen, "both words, nothing else")
	w, ok, err := store.Next(ctx, "a", "b")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, end, w, "the line ended after b")

	firsts, err := client.HGetAll(ctx, "test:"+start+" "+start).Result()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "2"}, firsts, "the start pair counts the first words")
}

// Lines are learnt whole even with several writers at once: readers walking
// the chain meanwhile only ever say a whole line that was learnt, never
// the first words of one whose end is not in Redis yet.
func TestRedisLearnsWholeLinesUnderConcurrentWriters(t *testing.T) {
	addr := startRedis(t)
	const writers, lines = 6, 30
	learnt := map[string]bool{"": true}
	for w := range writers {
		for l := range lines {
			learnt[line(w, l)] = true
		}
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	for w := range writers {
		chain := &Chain{Store: NewRedisStore(redisClient(t, addr), DefaultRedisPrefix)}
		wg.Go(func() {
			for l := range lines {
				assert.NoError(t, chain.Learn(ctx, line(w, l)))
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reader := &Chain{Store: NewRedisStore(redisClient(t, addr), DefaultRedisPrefix)}
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		s, err := reader.Sentence(ctx)
		require.NoError(t, err)
		require.True(t, learnt[s], "half a line: %q", s)
	}
	firsts, err := redisClient(t, addr).HGetAll(ctx, DefaultRedisPrefix+start+" "+start).Result()
	require.NoError(t, err)
	assert.Len(t, firsts, writers*lines, "every line learnt")
	for w, n := range firsts {
		assert.Equal(t, "1", n, "%s learnt once", w)
	}
}

// line is a line whose words appear in no other line, so that a walk that
// starts it can only end it.
func line(w, l int) string { return fmt.Sprintf("w%d.%d.a w%d.%d.b w%d.%d.c", w, l, w, l, w, l) }

// -redis with no Redis there is an error at start, not at the first line.
func TestRedisUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	err = run(t.Context(), []string{"-addr", "127.0.0.1:0", "-redis", addr}, strings.NewReader(""), io.Discard, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connecting to Redis at "+addr)
}

// chatter is a client of the chat server that says a line and reads the
// reply.
type chatter struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func newChatter(t *testing.T, addr string) *chatter {
	c := extest.Dial(t, addr)
	return &chatter{t: t, conn: c, r: bufio.NewReader(c)}
}

func (c *chatter) say(line string) string {
	c.t.Helper()
	extest.Write(c.t, c.conn, line)
	return c.readLine()
}

func (c *chatter) readLine() string {
	c.t.Helper()
	s, err := c.r.ReadString('\n')
	require.NoError(c.t, err, "reading a reply (got %q)", s)
	return s
}

func redisClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func flush(t *testing.T, addr string) {
	t.Helper()
	require.NoError(t, redisClient(t, addr).FlushAll(t.Context()).Err())
}

// startRedis starts a redis-server bounded as the Markov store asks, and
// returns its address.
func startRedis(t *testing.T) string {
	t.Helper()
	return redistest.Start(t, redistest.Bounded...).Addr
}

// startRedisWith is startRedis with redis-server's options args.
func startRedisWith(t *testing.T, args ...string) string {
	t.Helper()
	return redistest.Start(t, args...).Addr
}
