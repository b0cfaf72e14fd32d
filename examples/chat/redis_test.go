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

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/redistest"
)

const serverProcess = "KAMGEN_CHAT_SERVER_ARGS"

// TestChatServerProcess is not a test of its own: it is the server
// process the Redis tests start.
func TestChatServerProcess(t *testing.T) {
	extest.ServeProcess(serverProcess, func(ctx context.Context, args []string, ready func(string)) error {
		return run(ctx, args, ready)
	})
}

func startProcess(t *testing.T, args string) string {
	return extest.StartProcess(t, "TestChatServerProcess", serverProcess, args)
}

// meet waits until a line said by from reaches to, across the two
// processes: both bridges are on Redis. A probe said while one is not may
// be lost: then the next one is said.
func meet(t *testing.T, from, to *user) {
	t.Helper()
	for i := 0; i < 100; i++ {
		probe := fmt.Sprint("probe ", i)
		from.say(probe)
		require.NoError(t, to.conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
		for {
			l, err := to.r.ReadString('\n')
			if err != nil {
				require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "%s: %v", to.nick, err)
				break
			}
			if l == "<"+from.nick+"> "+probe+"\n" {
				return
			}
			require.True(t, skippable(l), "%s waits for probes and hears %q", to.nick, l)
		}
	}
	t.Fatalf("%s never heard %s", to.nick, from.nick)
}

// TestTwoProcessesShareOneRoom: two chat servers on one real redis-server
// are one room: a line said on either reaches the clients of both, once.
func TestTwoProcessesShareOneRoom(t *testing.T) {
	r := redistest.Start(t)
	one := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	two := startProcess(t, "-addr 127.0.0.1:0 -redis "+r.Addr)
	a, a2, b := named(t, one, "ann"), named(t, one, "amy"), named(t, two, "bob")
	meetAll(t, a, b)
	a2.hear("<" + a.nick + "> probe 0\n")

	a.say("hello from one")
	b.say("hello from two")
	b.hear("<" + a.nick + "> hello from one\n")
	a.hear("<" + b.nick + "> hello from two\n")
	a2.hearBoth("<"+a.nick+"> hello from one\n", "<"+b.nick+"> hello from two\n")
	// Once: the next line each hears is the next one said.
	a.say("again")
	b.hear("<" + a.nick + "> again\n")
	a2.hear("<" + a.nick + "> again\n")
	b.say("and again")
	a.hear("<" + b.nick + "> and again\n")
	a2.hear("<" + b.nick + "> and again\n")
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
		a.say(fmt.Sprint("while Redis is away ", i))
	}
	for i := range 100 {
		a2.hear(fmt.Sprintf("<%s> while Redis is away %d\n", a.nick, i))
	}
	r.Restart(t)
	meetAll(t, a, b)
	b.say("Redis is back")
	a.hear("<" + b.nick + "> Redis is back\n")
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
	u.say("/nick " + nick)
	u.nick = nick
	return u
}

// hear reads lines until want, skipping those that are skippable, and
// failing on any other line.
func (u *user) hear(want string) {
	u.t.Helper()
	for {
		l := u.line()
		if l == want {
			return
		}
		require.True(u.t, skippable(l), "%s waits for %q and hears %q", u.nick, want, l)
	}
}

// hearBoth reads lines until it has heard x and y, in either order (they
// were said in different processes), skipping what is skippable.
func (u *user) hearBoth(x, y string) {
	u.t.Helper()
	var heard []string
	for len(heard) < 2 {
		if l := u.line(); !skippable(l) {
			heard = append(heard, l)
		}
	}
	require.ElementsMatch(u.t, []string{x, y}, heard)
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
	require.NotEqual(t, a.nick, b.nick, "guests are numbered for the room")
	a.say("/nick ann")
	a.say("/who")
	a.hear("* here: ann " + b.nick + "\n")
	b.say("/nick ann")
	b.hear("* ann is taken\n")
	b.say("/nick bob")
	b.say("/who")
	b.hear("* here: ann bob\n")
	a.say("/nick alice")
	a.say("/who")
	a.hear("* here: alice bob\n")
	b.say("/nick ann")
	b.say("/who")
	b.hear("* here: alice ann\n")
	a.nick, b.nick = "alice", "ann"
	meetAll(t, a, b) // the bridges are on Redis: the leave notice crosses
	a.conn.Close()
	b.hear("* alice left\n")
	b.say("/nick alice")
	b.say("/who")
	b.hear("* here: alice\n")
}
