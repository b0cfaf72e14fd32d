package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const serverProcess = "KAMGEN_MARKOV_SERVER_ARGS"

// TestMarkovServerProcess is not a test of its own: it is the server
// process TestTwoServerProcessesShareOneRedisChain starts, running the
// program's run with the arguments in its environment until its standard
// input closes.
func TestMarkovServerProcess(t *testing.T) {
	args := os.Getenv(serverProcess)
	if args == "" {
		return // only in the child process
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	err := run(ctx, strings.Fields(args), strings.NewReader(""), io.Discard, func(addr string) {
		fmt.Println("ADDR", addr)
	})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// startProcess runs a Markov server as a process of its own and returns
// the address it listens on.
func startProcess(t *testing.T, args string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMarkovServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), serverProcess+"="+args)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close() // the server stops when its input ends
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the server process printed nothing")
	addr, ok := strings.CutPrefix(lines.Text(), "ADDR ")
	require.True(t, ok, "the server process said %q", lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return addr
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
