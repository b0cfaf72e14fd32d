package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/childproc"
	"github.com/kamgen/kamgen/internal/redistest"
)

const serverProcess = "KAMGEN_CHAT_SERVER_ARGS"

// TestChatServerProcess is not a test of its own: it is the server
// process the Redis tests start.
func TestChatServerProcess(t *testing.T) {
	childproc.Serve(serverProcess, func(ctx context.Context, args []string, ready func(string)) error {
		return run(ctx, args, ready)
	})
}

func startProcess(t *testing.T, args string) string {
	return childproc.Start(t, "TestChatServerProcess", serverProcess, args).Addr
}

// meet waits until a line said by from reaches to, across the two
// processes: both bridges are on Redis. A probe said while one is not may
// be lost: then the next one is said.
func meet(t *testing.T, from, to *user) {
	t.Helper()
	for i := 0; i < 100; i++ {
		probe := fmt.Sprint("probe ", i)
		from.Say(probe)
		require.NoError(t, to.Conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
		for {
			l, err := to.R.ReadString('\n')
			if err != nil {
				require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "%s: %v", to.Nick, err)
				break
			}
			if l == "<"+from.Nick+"> "+probe+"\n" {
				return
			}
			require.True(t, skippable(l), "%s waits for probes and hears %q", to.Nick, l)
		}
	}
	t.Fatalf("%s never heard %s", to.Nick, from.Nick)
}

// TestTwoProcessesShareOneRoom: two chat servers on one real redis-server
// are one room: a line said on either reaches the clients of both, once.
func TestTwoProcessesShareOneRoom(t *testing.T) {
	r := redistest.Start(t)
	one := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	two := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	a, a2, b := named(t, one, "ann"), named(t, one, "amy"), named(t, two, "bob")
	meetAll(t, a, b)
	hear(a2, "<"+a.Nick+"> probe 0\n")

	a.Say("hello from one")
	b.Say("hello from two")
	hear(b, "<"+a.Nick+"> hello from one\n")
	hear(a, "<"+b.Nick+"> hello from two\n")
	hearBoth(a2, "<"+a.Nick+"> hello from one\n", "<"+b.Nick+"> hello from two\n")
	// Once: the next line each hears is the next one said.
	a.Say("again")
	hear(b, "<"+a.Nick+"> again\n")
	hear(a2, "<"+a.Nick+"> again\n")
	b.Say("and again")
	hear(a, "<"+b.Nick+"> and again\n")
	hear(a2, "<"+b.Nick+"> and again\n")
}

// TestRoomOutlivesRedis: killing redis-server loses no line within a
// process, and once Redis is back the two processes share the room again.
func TestRoomOutlivesRedis(t *testing.T) {
	r := redistest.Start(t)
	one := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	two := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	a, a2, b := named(t, one, "ann"), named(t, one, "amy"), named(t, two, "bob")
	meetAll(t, a, b)

	r.Kill(t)
	for i := range 100 {
		a.Say(fmt.Sprint("while Redis is away ", i))
	}
	for i := range 100 {
		hear(a2, fmt.Sprintf("<%s> while Redis is away %d\n", a.Nick, i))
	}
	r.Restart(t)
	meetAll(t, a, b)
	b.Say("Redis is back")
	hear(a, "<"+b.Nick+"> Redis is back\n")
}

// meetAll waits until a and b hear each other.
func meetAll(t *testing.T, a, b *user) {
	t.Helper()
	meet(t, a, b)
	meet(t, b, a)
}

// named joins the chat at addr and takes the nick nick.
func named(t *testing.T, addr, nick string) *user {
	t.Helper()
	u := join(t, addr)
	u.Say("/nick " + nick)
	u.Nick = nick
	return u
}

// hear reads lines until want, skipping those that are skippable, and
// failing on any other line.
func hear(u *user, want string) {
	u.T.Helper()
	for {
		l := u.Line()
		if l == want {
			return
		}
		require.True(u.T, skippable(l), "%s waits for %q and hears %q", u.Nick, want, l)
	}
}

// hearBoth reads lines until it has heard x and y, in either order (they
// were said in different processes), skipping what is skippable.
func hearBoth(u *user, x, y string) {
	u.T.Helper()
	var heard []string
	for len(heard) < 2 {
		if l := u.Line(); !skippable(l) {
			heard = append(heard, l)
		}
	}
	require.ElementsMatch(u.T, []string{x, y}, heard)
}

// skippable is a line the Redis tests may hear at any time: a notice, a
// probe, or a line said in the other process while Redis was away, which
// comes when it is back (or is lost).
func skippable(l string) bool {
	return strings.HasPrefix(l, "* ") || strings.Contains(l, "> probe ") || strings.Contains(l, "> while Redis is away ")
}

// TestNicksAreUniqueAcrossProcesses: with -redis the nicks are the room's:
// a nick taken in one process is taken in the other, /who lists the
// clients of both, and a nick given up in one is free in the other.
func TestNicksAreUniqueAcrossProcesses(t *testing.T) {
	r := redistest.Start(t)
	one := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	two := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	a, b := join(t, one), join(t, two)
	require.NotEqual(t, a.Nick, b.Nick, "guests are numbered for the room")
	a.Say("/nick ann")
	a.Say("/who")
	hear(a, "* here: ann "+b.Nick+"\n")
	b.Say("/nick ann")
	hear(b, "* ann is taken\n")
	b.Say("/nick bob")
	b.Say("/who")
	hear(b, "* here: ann bob\n")
	a.Say("/nick alice")
	a.Say("/who")
	hear(a, "* here: alice bob\n")
	b.Say("/nick ann")
	b.Say("/who")
	hear(b, "* here: alice ann\n")
	a.Nick, b.Nick = "alice", "ann"
	meetAll(t, a, b) // the bridges are on Redis: the leave notice crosses
	a.Conn.Close()
	hear(b, "* alice left\n")
	b.Say("/nick alice")
	b.Say("/who")
	hear(b, "* here: alice\n")
}
