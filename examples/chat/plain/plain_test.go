package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// user is a chat client on a real socket.
type user struct {
	t    testing.TB
	conn *net.TCPConn
	r    *bufio.Reader
	nick string
}

// join connects to the chat at addr and reads the welcome.
func join(t testing.TB, addr string) *user {
	t.Helper()
	u := &user{t: t, conn: extest.Dial(t, addr)}
	u.r = bufio.NewReader(u.conn)
	welcome := u.line()
	_, err := fmt.Sscanf(welcome, "* welcome, %s", &u.nick)
	require.NoError(t, err, "welcome: %q", welcome)
	u.nick = strings.TrimSuffix(u.nick, ":")
	require.Equal(t, "* welcome, "+u.nick+": /nick NAME, /who, /quit\n", welcome)
	return u
}

func (u *user) say(line string) { extest.Write(u.t, u.conn, line+"\n") }

// line reads one line, within extest.Deadline.
func (u *user) line() string {
	u.t.Helper()
	require.NoError(u.t, u.conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
	l, err := u.r.ReadString('\n')
	require.NoError(u.t, err, "after %q", l)
	return l
}

// expect reads lines until want, failing on any other line than those
// it may skip.
func (u *user) expect(want string, skip ...string) {
	u.t.Helper()
	for {
		l := u.line()
		if l == want {
			return
		}
		require.Contains(u.t, skip, l, "%s waits for %q", u.nick, want)
	}
}

func serveChat(t testing.TB) *extest.Server {
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
}

func TestThreeClientsChat(t *testing.T) {
	srv := serveChat(t)
	a := join(t, srv.Addr)
	b := join(t, srv.Addr)
	a.expect("* " + b.nick + " joined\n")
	c := join(t, srv.Addr)
	a.expect("* " + c.nick + " joined\n")
	b.expect("* " + c.nick + " joined\n")

	for i := range 50 {
		a.say(fmt.Sprint("from a ", i))
		b.say(fmt.Sprint("from b ", i))
	}
	for _, u := range []*user{a, b, c} {
		var fromA, fromB []string
		for _, other := range []*user{a, b} {
			if other == u {
				continue
			}
			for range 50 {
				l := u.line()
				switch {
				case strings.HasPrefix(l, "<"+a.nick+"> "):
					fromA = append(fromA, l)
				case strings.HasPrefix(l, "<"+b.nick+"> "):
					fromB = append(fromB, l)
				default:
					t.Fatalf("%s got %q", u.nick, l)
				}
			}
		}
		for i, l := range fromA {
			assert.Equal(t, fmt.Sprintf("<%s> from a %d\n", a.nick, i), l, "%s hears a in order", u.nick)
		}
		for i, l := range fromB {
			assert.Equal(t, fmt.Sprintf("<%s> from b %d\n", b.nick, i), l, "%s hears b in order", u.nick)
		}
		if u != a {
			assert.Len(t, fromA, 50)
		}
		if u != b {
			assert.Len(t, fromB, 50)
		}
	}

	a.say("/nick alice")
	b.expect("* " + a.nick + " is now alice\n")
	c.expect("* " + a.nick + " is now alice\n")
	b.say("/nick alice")
	b.expect("* alice is taken\n")
	b.say("/nick " + strings.Repeat("x", 33))
	b.expect("* a nick is 1 to 32 characters, with no spaces\n")
	b.say("/nick")
	b.expect("* a nick is 1 to 32 characters, with no spaces\n")
	c.say("/who")
	c.expect(fmt.Sprintf("* here: alice %s %s\n", b.nick, c.nick))
	a.say("hi all")
	b.expect("<alice> hi all\n")
	c.expect("<alice> hi all\n")
	extest.Write(t, a.conn, "with CRLF\r\n\n")
	b.expect("<alice> with CRLF\n")
	b.expect("<alice> \n")
	c.expect("<alice> with CRLF\n")
	c.expect("<alice> \n")

	longest := strings.Repeat("w", maxLine)
	b.say(longest)
	c.expect(fmt.Sprintf("<%s> %s\n", b.nick, longest))
	b.say(strings.Repeat("y", maxLine+1))
	b.expect("* that line is too long: at most 4096 bytes\n")
	b.say(strings.Repeat("y", 3*maxLine))
	b.expect("* that line is too long: at most 4096 bytes\n")
	b.say("still here")
	c.expect(fmt.Sprintf("<%s> still here\n", b.nick))

	c.say("/quit")
	c.expect("* bye\n")
	require.Equal(t, "", extest.ReadAll(t, c.r), "the server closes after bye")
	a.expect(fmt.Sprintf("<%s> %s\n", b.nick, longest))
	a.expect(fmt.Sprintf("* %s left\n", c.nick), fmt.Sprintf("<%s> still here\n", b.nick))
	b.conn.Close()
	a.expect(fmt.Sprintf("* %s left\n", b.nick))
	a.say("/who")
	a.expect("* here: alice\n")
}

// TestNonReaderIsDisconnected: a client that never reads does not hold up
// the lines of the others; once its socket is full and maxQueue lines
// wait for it, it is disconnected, and the others are told.
func TestNonReaderIsDisconnected(t *testing.T) {
	srv := serveChat(t)
	stuck := join(t, srv.Addr)
	reader := join(t, srv.Addr)
	fast := join(t, srv.Addr)
	reader.expect("* " + fast.nick + " joined\n")

	long := strings.Repeat("z", 1000)
	sent := 0
	send := func(n int) {
		w := bufio.NewWriterSize(fast.conn, 64<<10)
		for range n {
			fmt.Fprintf(w, "%d %s\n", sent, long)
			sent++
		}
		if err := w.Flush(); err != nil {
			t.Error(err)
		}
	}
	var left bool
	batches := 0
	for ; !left && batches < 20; batches++ {
		start := time.Now()
		done := make(chan struct{})
		go func() { defer close(done); send(1000) }()
		for range 1000 {
			l := reader.line()
			if l == "* "+stuck.nick+" left\n" {
				left = true
				l = reader.line()
			}
			require.True(t, strings.HasPrefix(l, "<"+fast.nick+"> "), "%q", l)
		}
		<-done
		t.Logf("batch %d: 1,000 lines of 1 KB reached a reader in %v while another client read nothing", batches, time.Since(start))
	}
	require.True(t, left, "the client that never reads is disconnected")
	require.NoError(t, stuck.conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
	n, err := io.Copy(io.Discard, stuck.r)
	require.NoError(t, err, "its connection was closed, after %d bytes", n)
	t.Logf("it had been sent %d KiB", n>>10)
	assert.Less(t, n, int64(sent*1010), "it was sent less than was said")
}

// TestStopClosesEveryConnection: the server stops with clients connected,
// closing their connections.
func TestStopClosesEveryConnection(t *testing.T) {
	srv := serveChat(t)
	a := join(t, srv.Addr)
	b := join(t, srv.Addr)
	a.expect("* " + b.nick + " joined\n")
	require.NoError(t, srv.Stop())
	for _, u := range []*user{a, b} {
		require.NoError(t, u.conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
		_, err := io.Copy(io.Discard, u.r)
		require.NoError(t, err, "%s's connection is closed", u.nick)
	}
}
