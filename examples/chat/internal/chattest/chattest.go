// Package chattest is what the tests of examples/chat and of its plain Go
// twin share: a chat client on a real socket, and the conversations both
// servers must hold, byte for byte.
package chattest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

// MaxLine is the longest line the servers take.
const MaxLine = 4096

// User is a chat client on a real socket.
type User struct {
	T    testing.TB
	Conn *net.TCPConn
	R    *bufio.Reader
	Nick string
}

// Join connects to the chat at addr and reads the welcome.
func Join(t testing.TB, addr string) *User {
	t.Helper()
	u := &User{T: t, Conn: extest.Dial(t, addr)}
	u.R = bufio.NewReader(u.Conn)
	welcome := u.Line()
	_, err := fmt.Sscanf(welcome, "* welcome, %s", &u.Nick)
	require.NoError(t, err, "welcome: %q", welcome)
	u.Nick = strings.TrimSuffix(u.Nick, ":")
	require.Equal(t, "* welcome, "+u.Nick+": /nick NAME, /who, /quit\n", welcome)
	return u
}

// Say sends line and a newline.
func (u *User) Say(line string) { extest.Write(u.T, u.Conn, line+"\n") }

// Line reads one line, within extest.Deadline.
func (u *User) Line() string {
	u.T.Helper()
	require.NoError(u.T, u.Conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
	l, err := u.R.ReadString('\n')
	require.NoError(u.T, err, "after %q", l)
	return l
}

// Expect reads lines until want, failing on any other line than those it
// may skip.
func (u *User) Expect(want string, skip ...string) {
	u.T.Helper()
	for {
		l := u.Line()
		if l == want {
			return
		}
		require.Contains(u.T, skip, l, "%s waits for %q", u.Nick, want)
	}
}

// Closed reads what is left until the server closes the connection.
func (u *User) Closed() string {
	u.T.Helper()
	return extest.ReadAll(u.T, u.R)
}

// Conversation is three clients on the chat at addr: they hear each
// other's lines in order, and every command, notice and limit.
func Conversation(t *testing.T, addr string) {
	a := Join(t, addr)
	b := Join(t, addr)
	a.Expect("* " + b.Nick + " joined\n")
	c := Join(t, addr)
	a.Expect("* " + c.Nick + " joined\n")
	b.Expect("* " + c.Nick + " joined\n")

	for i := range 50 {
		a.Say(fmt.Sprint("from a ", i))
		b.Say(fmt.Sprint("from b ", i))
	}
	for _, u := range []*User{a, b, c} {
		var fromA, fromB []string
		for _, other := range []*User{a, b} {
			if other == u {
				continue
			}
			for range 50 {
				l := u.Line()
				switch {
				case strings.HasPrefix(l, "<"+a.Nick+"> "):
					fromA = append(fromA, l)
				case strings.HasPrefix(l, "<"+b.Nick+"> "):
					fromB = append(fromB, l)
				default:
					t.Fatalf("%s got %q", u.Nick, l)
				}
			}
		}
		for i, l := range fromA {
			assert.Equal(t, fmt.Sprintf("<%s> from a %d\n", a.Nick, i), l, "%s hears a in order", u.Nick)
		}
		for i, l := range fromB {
			assert.Equal(t, fmt.Sprintf("<%s> from b %d\n", b.Nick, i), l, "%s hears b in order", u.Nick)
		}
		if u != a {
			assert.Len(t, fromA, 50)
		}
		if u != b {
			assert.Len(t, fromB, 50)
		}
	}

	a.Say("/nick alice")
	b.Expect("* " + a.Nick + " is now alice\n")
	c.Expect("* " + a.Nick + " is now alice\n")
	b.Say("/nick alice")
	b.Expect("* alice is taken\n")
	b.Say("/nick " + strings.Repeat("x", 33))
	b.Expect("* a nick is 1 to 32 characters, with no spaces\n")
	b.Say("/nick")
	b.Expect("* a nick is 1 to 32 characters, with no spaces\n")
	c.Say("/who")
	c.Expect(fmt.Sprintf("* here: alice %s %s\n", b.Nick, c.Nick))
	a.Say("hi all")
	b.Expect("<alice> hi all\n")
	c.Expect("<alice> hi all\n")
	extest.Write(t, a.Conn, "with CRLF\r\n\n")
	b.Expect("<alice> with CRLF\n")
	b.Expect("<alice> \n")
	c.Expect("<alice> with CRLF\n")
	c.Expect("<alice> \n")

	longest := strings.Repeat("w", MaxLine)
	b.Say(longest)
	c.Expect(fmt.Sprintf("<%s> %s\n", b.Nick, longest))
	b.Say(strings.Repeat("y", MaxLine+1))
	b.Expect("* that line is too long: at most 4096 bytes\n")
	b.Say(strings.Repeat("y", 3*MaxLine))
	b.Expect("* that line is too long: at most 4096 bytes\n")
	b.Say("still here")
	c.Expect(fmt.Sprintf("<%s> still here\n", b.Nick))

	c.Say("/quit")
	c.Expect("* bye\n")
	require.Equal(t, "", c.Closed(), "the server closes after bye")
	a.Expect(fmt.Sprintf("<%s> %s\n", b.Nick, longest))
	a.Expect(fmt.Sprintf("* %s left\n", c.Nick), fmt.Sprintf("<%s> still here\n", b.Nick))
	b.Conn.Close()
	a.Expect(fmt.Sprintf("* %s left\n", b.Nick))
	a.Say("/who")
	a.Expect("* here: alice\n")
}

// NonReader has a client that never reads, and another say batches of
// 1,000 lines of 1 KB until the first is disconnected: each batch must
// reach a third client within a few seconds, before and after the
// non-reader's socket is full. It returns how many batches were said.
func NonReader(t *testing.T, addr string) int {
	stuck := Join(t, addr)
	reader := Join(t, addr)
	fast := Join(t, addr)
	reader.Expect("* " + fast.Nick + " joined\n")

	long := strings.Repeat("z", 1000)
	sent := 0
	send := func(n int) {
		w := bufio.NewWriterSize(fast.Conn, 64<<10)
		for range n {
			fmt.Fprintf(w, "%d %s\n", sent, long)
			sent++
		}
		if err := w.Flush(); err != nil {
			t.Error(err)
		}
	}
	left := false
	batches := 0
	for ; !left && batches < 20; batches++ {
		start := time.Now()
		done := make(chan struct{})
		go func() { defer close(done); send(1000) }()
		for range 1000 {
			l := reader.Line()
			if l == "* "+stuck.Nick+" left\n" {
				left = true
				l = reader.Line()
			}
			require.True(t, strings.HasPrefix(l, "<"+fast.Nick+"> "), "%q", l)
		}
		<-done
		took := time.Since(start)
		t.Logf("batch %d: 1,000 lines of 1 KB reached a reader in %v while another client read nothing", batches, took)
		assert.Less(t, took, 5*time.Second)
	}
	require.True(t, left, "the client that never reads is disconnected")
	require.NoError(t, stuck.Conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
	n, err := io.Copy(io.Discard, stuck.R)
	require.NoError(t, err, "its connection was closed, after %d bytes", n)
	t.Logf("it had been sent %d KiB of the %d lines said", n>>10, sent)
	assert.Less(t, n, int64(sent*1010), "it was sent less than was said")
	return batches
}

// StopCloses has two clients on the chat of srv, which stops: their
// connections close.
func StopCloses(t *testing.T, srv *extest.Server) {
	a := Join(t, srv.Addr)
	b := Join(t, srv.Addr)
	a.Expect("* " + b.Nick + " joined\n")
	require.NoError(t, srv.Stop())
	for _, u := range []*User{a, b} {
		require.NoError(t, u.Conn.SetReadDeadline(time.Now().Add(extest.Deadline)))
		_, err := io.Copy(io.Discard, u.R)
		require.NoError(t, err, "%s's connection is closed", u.Nick)
	}
}
