// Package redistest runs a real redis-server for tests, on a
// free port of 127.0.0.1, installing it with apt-get when it is missing
// and the tests run as root. The Redis tests are part of the suite: they
// are never skipped.
package redistest

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Deadline bounds every wait.
const Deadline = 10 * time.Second

// Server is a redis-server the test started; it is stopped when the test
// ends.
type Server struct {
	// Addr is where it listens ("127.0.0.1:40123").
	Addr string

	bin  string
	args []string
	dir  string
	proc *proc
}

type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Bounded is what the Markov store asks of a Redis: a maxmemory and an
// allkeys eviction policy.
var Bounded = []string{"--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"}

// Start starts a redis-server with the options args.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	s := &Server{bin: binary(t), args: args, dir: t.TempDir()}
	for range 3 { // another program may take the free port first
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.Addr = l.Addr().String()
		_ = l.Close()
		if s.start(t) {
			t.Cleanup(s.stop)
			return s
		}
	}
	t.Fatal("redis-server did not start (see its output above)")
	return nil
}

// Kill kills the server (SIGKILL), as a crash would.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	if p := s.proc; p != nil {
		_ = p.cmd.Process.Kill()
		<-p.exited
		s.proc = nil
	}
}

// Restart starts the server again, on the same port, after Kill.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(Deadline)
	for !s.start(t) {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start again on %s", s.Addr)
		}
		time.Sleep(50 * time.Millisecond) // the port may linger a moment
	}
}

func (s *Server) stop() {
	if p := s.proc; p != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(Deadline):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		s.proc = nil
	}
}

// start runs redis-server on s.Addr and waits until it is ready; it
// reports false when it exited instead (its port was taken).
func (s *Server) start(t testing.TB) bool {
	t.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	cmd := exec.Command(s.bin, append([]string{"--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir, "--daemonize", "no"}, s.args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	ready := make(chan struct{})
	var log strings.Builder
	go func() {
		defer close(p.exited)
		sc := bufio.NewScanner(out)
		starting := true
		for sc.Scan() { // after the start, read on so that redis-server never blocks on its log
			if starting {
				log.WriteString(sc.Text() + "\n")
				if strings.Contains(sc.Text(), "Ready to accept connections") {
					starting = false
					close(ready)
				}
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
		s.proc = p
		return true
	case <-p.exited:
		t.Logf("redis-server on %s exited:\n%s", s.Addr, log.String())
		return false
	case <-time.After(Deadline):
		_ = cmd.Process.Kill()
		<-p.exited
		t.Fatalf("redis-server was not ready within %v:\n%s", Deadline, log.String())
		return false
	}
}

var install sync.Mutex

// binary finds redis-server, installing it with apt-get when it is missing
// and the test runs as root. Otherwise the test fails, saying how to
// install it.
func binary(t testing.TB) string {
	t.Helper()
	install.Lock()
	defer install.Unlock()
	if bin, err := exec.LookPath("redis-server"); err == nil {
		return bin
	}
	const how = "install it (Debian, Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) and run the tests again"
	if os.Geteuid() != 0 {
		t.Fatalf("redis-server is not installed, and the Redis tests need it: %s", how)
	}
	apt, err := exec.LookPath("apt-get")
	if err != nil {
		t.Fatalf("redis-server is not installed and there is no apt-get to install it: %s", how)
	}
	t.Log("redis-server is missing: apt-get install -y redis-server")
	get := func() ([]byte, error) {
		cmd := exec.Command(apt, "install", "-y", "-q", "redis-server")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	if out, err := get(); err != nil {
		t.Logf("apt-get install failed (%v), updating the package lists first:\n%s", err, out)
		if out, err := exec.Command(apt, "update", "-q").CombinedOutput(); err != nil {
			t.Fatalf("apt-get update: %v\n%s\n%s", err, out, how)
		}
		if out, err := get(); err != nil {
			t.Fatalf("apt-get install -y redis-server: %v\n%s\n%s", err, out, how)
		}
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server still missing after apt-get install: %s", how)
	}
	return bin
}
