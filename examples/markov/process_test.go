package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kamgen/kamgen/internal/childproc"
)

const serverProcess = "KAMGEN_MARKOV_SERVER_ARGS"

// TestMarkovServerProcess is not a test of its own: it is the server
// process TestTwoServerProcessesShareOneRedisChain starts.
func TestMarkovServerProcess(t *testing.T) {
	childproc.Serve(serverProcess, func(ctx context.Context, args []string, ready func(string)) error {
		return run(ctx, args, strings.NewReader(""), io.Discard, ready)
	})
}

// startProcess runs a Markov server as a process of its own and returns
// the address it listens on.
func startProcess(t *testing.T, args string) string {
	return childproc.Start(t, "TestMarkovServerProcess", serverProcess, args).Addr
}

// Two Markov server processes pointed at one real redis-server learn from
// each other's clients.
func TestTwoServerProcessesShareOneRedisChain(t *testing.T) {
	redisAddr := startRedis(t)
	one := startProcess(t, "-addr 127.0.0.1:0 -redis "+redisAddr)
	two := startProcess(t, "-addr 127.0.0.1:0 -redis "+redisAddr)
	a, b := newChatter(t, one), newChatter(t, two)
	assert.Equal(t, "kamgen speaks redis\n", a.say("kamgen speaks redis\n"))
	assert.Equal(t, "kamgen speaks redis\n", b.say("\n"), "process two knows what process one's client said")
	flush(t, redisAddr)
	assert.Equal(t, "and back again\n", b.say("and back again\n"))
	assert.Equal(t, "and back again\n", a.say("\n"), "and the other way round")
}
