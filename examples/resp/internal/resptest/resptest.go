// Package resptest is the end-to-end suite both RESP servers pass: a real
// Redis client (go-redis), pipelined, and raw connections for inline
// commands, requests cut anywhere and requests that cannot be read.
package resptest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

// Run runs the suite against the server at addr, which runs in the test's
// process (the memory checks read this process's heap).
func Run(t *testing.T, addr string) {
	t.Run("commands", func(t *testing.T) { commands(t, addr) })
	t.Run("pipelined", func(t *testing.T) { pipelined(t, addr) })
	t.Run("inline", func(t *testing.T) { inline(t, addr) })
	t.Run("cut anywhere", func(t *testing.T) { cutAnywhere(t, addr) })
	t.Run("protocol errors close", func(t *testing.T) { protocolErrors(t, addr) })
	t.Run("huge requests are refused without memory", func(t *testing.T) { huge(t, addr) })
}

func client(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, ReadTimeout: extest.Deadline, WriteTimeout: extest.Deadline})
	t.Cleanup(func() { c.Close() })
	return c
}

func commands(t *testing.T, addr string) {
	c := client(t, addr)
	ctx := t.Context()
	assert.Equal(t, "PONG", c.Ping(ctx).Val())
	assert.Equal(t, "hello", c.Do(ctx, "PING", "hello").Val())
	assert.Equal(t, "a b\r\nc", c.Echo(ctx, "a b\r\nc").Val(), "a bulk string may hold anything")

	key := fmt.Sprintf("k%d", time.Now().UnixNano())
	_, err := c.Get(ctx, key).Result()
	assert.ErrorIs(t, err, redis.Nil)
	require.NoError(t, c.Set(ctx, key, "v1", 0).Err())
	assert.Equal(t, "v1", c.Get(ctx, key).Val())
	require.NoError(t, c.Set(ctx, key, "", 0).Err())
	v, err := c.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Empty(t, v, "an empty value is a value")

	assert.Equal(t, int64(1), c.Exists(ctx, key).Val())
	assert.Equal(t, int64(2), c.Exists(ctx, key, key, key+"none").Val(), "EXISTS counts each key named")
	assert.Equal(t, []any{"", nil}, c.MGet(ctx, key, key+"none").Val())
	assert.Equal(t, int64(1), c.Del(ctx, key, key+"none").Val())
	assert.Equal(t, int64(0), c.Exists(ctx, key).Val())

	n := key + "n"
	assert.Equal(t, int64(1), c.Incr(ctx, n).Val())
	assert.Equal(t, int64(2), c.Incr(ctx, n).Val())
	require.NoError(t, c.Set(ctx, n, "x", 0).Err())
	assert.ErrorContains(t, c.Incr(ctx, n).Err(), "ERR value is not an integer or out of range")

	// An expiry far away keeps the key; EX and PX are both understood.
	require.NoError(t, c.Set(ctx, key, "kept", time.Hour).Err())
	require.NoError(t, c.Do(ctx, "SET", key+"px", "kept", "PX", 3600000).Err())
	assert.Equal(t, "kept", c.Get(ctx, key).Val())
	assert.Equal(t, "kept", c.Get(ctx, key+"px").Val())
	// An expiry that has passed removes it: PX 1, then wait.
	require.NoError(t, c.Do(ctx, "SET", key+"short", "gone", "PX", 1).Err())
	deadline := time.Now().Add(extest.Deadline)
	for c.Exists(ctx, key+"short").Val() == 1 {
		require.True(t, time.Now().Before(deadline), "the key never expired")
		time.Sleep(time.Millisecond)
	}
	assert.ErrorContains(t, c.Do(ctx, "SET", key, "v", "EX", 0).Err(), "ERR invalid expire time")
	assert.ErrorContains(t, c.Do(ctx, "SET", key, "v", "XX", 1, 2).Err(), "ERR syntax error")

	assert.ErrorContains(t, c.Do(ctx, "FLUSHALL").Err(), "ERR unknown command 'FLUSHALL'")
	assert.ErrorContains(t, c.Do(ctx, "GET").Err(), "ERR wrong number of arguments for 'get' command")
	assert.Equal(t, "PONG", c.Ping(ctx).Val(), "an unknown command does not end the connection")
}

func pipelined(t *testing.T, addr string) {
	c := client(t, addr)
	ctx := t.Context()
	prefix := fmt.Sprintf("p%d:", time.Now().UnixNano())
	const n = 1000
	p := c.Pipeline()
	sets := make([]*redis.StatusCmd, n)
	incrs := make([]*redis.IntCmd, n)
	gets := make([]*redis.StringCmd, n)
	for i := range n {
		sets[i] = p.Set(ctx, fmt.Sprintf("%s%d", prefix, i), strings.Repeat("v", i), 0)
		incrs[i] = p.Incr(ctx, prefix+"count")
		gets[i] = p.Get(ctx, fmt.Sprintf("%s%d", prefix, i))
	}
	_, err := p.Exec(ctx)
	require.NoError(t, err)
	for i := range n {
		require.Equal(t, "OK", sets[i].Val())
		require.Equal(t, int64(i+1), incrs[i].Val(), "the replies come in order")
		require.Equal(t, strings.Repeat("v", i), gets[i].Val())
	}
}

// raw dials addr; every wait has a deadline.
func raw(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	c := extest.Dial(t, addr)
	return c, bufio.NewReader(c)
}

func inline(t *testing.T, addr string) {
	c, r := raw(t, addr)
	extest.Write(t, c, "PING\r\nSET inline hello\r\nGET inline\nECHO  spaced   words\r\n\r\nINCR inline:n\r\n")
	for _, want := range []string{"+PONG\r\n", "+OK\r\n", "$5\r\n", "hello\r\n", "-ERR wrong number of arguments for 'echo' command\r\n", ":1\r\n"} {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, want, line, "ECHO with two words is refused; the empty line is nothing")
	}
}

// A pipeline of requests written a byte at a time, or in pieces of a few
// bytes, is answered as when it comes whole.
func cutAnywhere(t *testing.T, addr string) {
	key := fmt.Sprintf("cut%d", time.Now().UnixNano())
	req := "*3\r\n$3\r\nSET\r\n$" + fmt.Sprint(len(key)) + "\r\n" + key + "\r\n$12\r\nhello\r\nworld\r\n" +
		"*2\r\n$3\r\nGET\r\n$" + fmt.Sprint(len(key)) + "\r\n" + key + "\r\n" +
		"PING\r\n"
	want := "+OK\r\n$12\r\nhello\r\nworld\r\n+PONG\r\n"
	for _, size := range []int{1, 2, 3, 5, 7, 13} {
		c, r := raw(t, addr)
		for i := 0; i < len(req); i += size {
			extest.Write(t, c, req[i:min(i+size, len(req))])
			if size < 3 {
				time.Sleep(50 * time.Microsecond) // so that the pieces come apart
			}
		}
		assert.Equal(t, want, extest.ReadN(t, r, len(want)), "in pieces of %d bytes", size)
	}
}

func protocolErrors(t *testing.T, addr string) {
	for _, tc := range []struct{ name, req, want string }{
		{"a bad array length", "*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"a bad bulk length", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
		{"no bulk header", "*1\r\nPING\r\n", "-ERR Protocol error: expected '$'"},
		{"a bulk string without its CRLF", "*1\r\n$4\r\nPINGxx", "-ERR Protocol error: a bulk string does not end with CRLF\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := raw(t, addr)
			extest.Write(t, c, "PING\r\n"+tc.req)
			assert.Equal(t, "+PONG\r\n", extest.ReadN(t, r, 7), "what came before is answered")
			rest, err := io.ReadAll(r)
			require.NoError(t, err, "the server closes the connection")
			assert.True(t, strings.HasPrefix(string(rest), tc.want), "got %q", rest)
		})
	}
}

// A line over 64 KiB, or a bulk length over 512 MB, is refused and the
// connection closed, without the server holding what was announced.
func huge(t *testing.T, addr string) {
	before := heapInUse()
	c, r := raw(t, addr)
	extest.Write(t, c, "*1\r\n$536870913\r\n")
	rest, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", string(rest))

	c, r = raw(t, addr)
	line := strings.Repeat("x", 1<<20) // 1 MiB, no newline
	_, _ = io.WriteString(c, line)     // the server may close before it is all written
	rest, err = io.ReadAll(r)
	if err == nil {
		assert.Equal(t, "-ERR Protocol error: too big inline request\r\n", string(rest))
	}
	assert.Less(t, heapInUse()-before, int64(8<<20), "the server held what it was sent")
}

func heapInUse() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
