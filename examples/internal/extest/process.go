package extest

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
)

// ServeProcess is the body of a test that is not a test of its own: the
// server process StartProcess starts, which runs serve with the arguments
// in the environment variable env until its standard input closes. In the
// test binary's own run, env is not set and ServeProcess returns at once.
func ServeProcess(env string, serve func(ctx context.Context, args []string, ready func(addr string)) error) {
	args, ok := os.LookupEnv(env)
	if !ok {
		return // only in the child process
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	err := serve(ctx, strings.Fields(args), func(addr string) { fmt.Println("ADDR", addr) })
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// StartProcess runs the test named test of this test binary, which calls
// ServeProcess(env, ...), as a server process with the arguments args,
// and returns the address it listens on. The process is stopped when the
// test ends.
func StartProcess(t testing.TB, test, env, args string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+args)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the server stops when its input ends
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatal("the server process printed nothing")
	}
	addr, ok := strings.CutPrefix(lines.Text(), "ADDR ")
	if !ok {
		t.Fatalf("the server process said %q", lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return addr
}
