// Package childproc runs a server in a process of its own, for tests that
// need one: a descriptor limit (EMFILE), or two servers that share nothing
// but Redis. The child is the test binary itself, running one test that is
// not a test of its own:
//
//	func TestServerProcess(t *testing.T) {
//		childproc.Serve("MY_SERVER", func(ctx context.Context, args []string, ready func(string)) error {
//			return run(ctx, args, ready)
//		})
//	}
//
//	p := childproc.Start(t, "TestServerProcess", "MY_SERVER", "-addr 127.0.0.1:0")
//	// p.Addr is where it listens; it stops when the test ends.
//
// The child prints "ADDR host:port" once it listens, and stops when its
// standard input ends. Lines written to its input (Proc.Ask) go to the
// function given with OnLine, and what it prints answers them.
package childproc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Option configures Serve.
type Option func(*config)

type config struct{ onLine func(line string) }

// OnLine has the child call f with each line its parent writes (Proc.Ask),
// on a goroutine of its own; f answers by printing one line.
func OnLine(f func(line string)) Option { return func(c *config) { c.onLine = f } }

// Serve is the body of the child's test: in the child, where the
// environment variable env is set, it runs serve with the arguments env
// holds until the standard input ends, then exits the process. In the test
// binary's own run, env is not set, and Serve returns at once.
func Serve(env string, serve func(ctx context.Context, args []string, ready func(addr string)) error, opts ...Option) {
	args, ok := os.LookupEnv(env)
	if !ok {
		return // only in the child process
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		defer cancel() // the parent closed our input: stop
		lines := bufio.NewScanner(os.Stdin)
		for lines.Scan() {
			if cfg.onLine != nil {
				cfg.onLine(lines.Text())
			}
		}
	}()
	err := serve(ctx, strings.Fields(args), func(addr string) { fmt.Println("ADDR", addr) })
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Proc is a child process started by Start.
type Proc struct {
	// Addr is the address the child listens on.
	Addr string

	in   io.WriteCloser
	out  *bufio.Scanner
	logs *lockedBuffer
}

// Start runs the test named test of this test binary, which calls
// Serve(env, ...), with args in env, and returns once it listens. It is
// stopped (its input closed, then waited for) when the test ends.
func Start(t testing.TB, test, env, args string) *Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+args)
	p := &Proc{logs: &lockedBuffer{}}
	cmd.Stderr = io.MultiWriter(os.Stderr, p.logs)
	var err error
	if p.in, err = cmd.StdinPipe(); err != nil {
		cancel()
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.in.Close() // the child stops when its input ends
		_ = cmd.Wait()
		cancel()
	})
	p.out = bufio.NewScanner(stdout)
	if !p.out.Scan() {
		t.Fatalf("the %s process printed nothing; its log:\n%s", test, p.logs.String())
	}
	addr, ok := strings.CutPrefix(p.out.Text(), "ADDR ")
	if !ok {
		t.Fatalf("the %s process said %q", test, p.out.Text())
	}
	p.Addr = addr
	return p
}

// Ask writes line to the child's input and returns the line it prints in
// answer (see OnLine).
func (p *Proc) Ask(t testing.TB, line string) string {
	t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		t.Fatalf("writing to the child: %v", err)
	}
	if !p.out.Scan() {
		t.Fatalf("the child stopped; its log:\n%s", p.logs.String())
	}
	return p.out.Text()
}

// Logs returns what the child has written to its standard error so far.
func (p *Proc) Logs() string { return p.logs.String() }

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(b)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
