package store

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func exec(s *Store, args ...string) string {
	a := make([][]byte, len(args))
	for i, x := range args {
		a[i] = []byte(x)
	}
	return string(s.Exec(nil, a))
}

// EX and PX expire a key on the store's clock; a read or a sweep of later
// writes removes it.
func TestExpiryFollowsTheClock(t *testing.T) {
	now := time.Unix(1000, 0)
	s := NewWithClock(func() time.Time { return now })
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "a", "1", "EX", "10"))
	assert.Equal(t, "+OK\r\n", exec(s, "set", "b", "2", "px", "1500"))
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "c", "3"))
	now = now.Add(1499 * time.Millisecond)
	assert.Equal(t, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", exec(s, "MGET", "a", "b", "c"))
	now = now.Add(time.Millisecond)
	assert.Equal(t, "$-1\r\n", exec(s, "GET", "b"), "PX 1500 has passed")
	assert.Equal(t, ":1\r\n", exec(s, "EXISTS", "a"))
	assert.Equal(t, ":2\r\n", exec(s, "INCR", "a"), "INCR keeps the expiry")
	now = now.Add(10 * time.Second)
	assert.Equal(t, ":0\r\n", exec(s, "EXISTS", "a", "b"))
	assert.Equal(t, ":0\r\n", exec(s, "DEL", "a"), "an expired key is not there to delete")
	assert.Equal(t, ":1\r\n", exec(s, "DEL", "c"))
}

// Expired keys nobody reads are swept by later writes: the store does not
// keep them for ever.
func TestExpiredKeysAreSwept(t *testing.T) {
	now := time.Unix(1000, 0)
	s := NewWithClock(func() time.Time { return now })
	for i := range 10000 {
		exec(s, "SET", "old"+string(rune('a'+i%26))+string(rune(i)), "v", "PX", "1")
	}
	now = now.Add(time.Second)
	for i := range 200000 {
		exec(s, "SET", "new", string(rune(i)))
	}
	assert.Less(t, s.Len(), 100, "expired keys left: %d", s.Len())
}

func TestCommandErrors(t *testing.T) {
	s := New()
	assert.Equal(t, "-ERR unknown command 'NOPE'\r\n", exec(s, "NOPE", "x"))
	assert.Equal(t, "-ERR wrong number of arguments for 'get' command\r\n", exec(s, "GET"))
	assert.Equal(t, "-ERR syntax error\r\n", exec(s, "SET", "k", "v", "KEEPTTL", "1"))
	assert.Equal(t, "-ERR invalid expire time in 'set' command\r\n", exec(s, "SET", "k", "v", "EX", "-1"))
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", "9223372036854775807"))
	assert.Equal(t, "-ERR value is not an integer or out of range\r\n", exec(s, "INCR", "k"), "overflow")
	assert.Equal(t, "+PONG\r\n", exec(s, "PING"))
	assert.Equal(t, "$2\r\nhi\r\n", exec(s, "ping", "hi"))
}

// Running a command allocates nothing but what it stores.
func TestExecAllocatesNothingToAnswer(t *testing.T) {
	s := New()
	exec(s, "SET", "k", "v")
	get := [][]byte{[]byte("GET"), []byte("k")}
	ping := [][]byte{[]byte("PING")}
	out := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		out = s.Exec(out[:0], get)
		out = s.Exec(out[:0], ping)
	})
	assert.Zero(t, allocs)
}

// A SET of a key that is there writes a small value over the old one;
// a reader copies it, so what it read before stays as it was.
func TestSetOfAKeyThereAllocatesNothing(t *testing.T) {
	s := New()
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", "first"))
	before := exec(s, "GET", "k")
	set := [][]byte{[]byte("SET"), []byte("k"), []byte("other")}
	out := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() { out = s.Exec(out[:0], set) })
	assert.Zero(t, allocs)
	assert.Equal(t, "$5\r\nfirst\r\n", before, "a reply already made is not changed by a later SET")
	assert.Equal(t, "$5\r\nother\r\n", exec(s, "GET", "k"))
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", "a longer value than before"))
	assert.Equal(t, "$26\r\na longer value than before\r\n", exec(s, "GET", "k"))
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", ""))
	assert.Equal(t, "$0\r\n\r\n", exec(s, "GET", "k"))
	big := strings.Repeat("x", inPlaceMax+1)
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", big))
	assert.Equal(t, "+OK\r\n", exec(s, "SET", "k", "s"))
	assert.Equal(t, "$1\r\ns\r\n", exec(s, "GET", "k"))
	assert.LessOrEqual(t, cap(s.shard([]byte("k")).m["k"].val), inPlaceMax, "a small value does not keep a large one's room")
}

func TestParseIntIsStrconvs(t *testing.T) {
	for _, s := range []string{"0", "7", "-12", "+3", "", "-", "1a", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999", " 1"} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := ParseInt([]byte(s))
		assert.Equal(t, err == nil, ok, "%q", s)
		if ok {
			assert.Equal(t, want, got, "%q", s)
		}
	}
}

// INCR writes the new number over the old one; a GET at the same time
// reads a whole number, never one half written, and never one that goes
// back.
func TestIncrAndGetOfOneKey(t *testing.T) {
	s := New()
	const n = 20000
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range n {
			s.Exec(nil, [][]byte{[]byte("INCR"), []byte("k")})
		}
	}()
	last := int64(0)
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		r := exec(s, "GET", "k")
		if r == "$-1\r\n" {
			continue
		}
		var v int64
		var l int
		_, err := fmt.Sscanf(r, "$%d\r\n%d\r\n", &l, &v)
		if !assert.NoError(t, err, "%q", r) || !assert.Equal(t, len(strconv.FormatInt(v, 10)), l, "%q", r) {
			return
		}
		if !assert.GreaterOrEqual(t, v, last, "%q", r) {
			return
		}
		last = v
	}
	assert.Equal(t, "$5\r\n20000\r\n", exec(s, "GET", "k"))
}
