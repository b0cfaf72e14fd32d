// Package extest holds what the examples' end-to-end tests share: running
// an example's server in-process on a free port of 127.0.0.1, and talking
// to it over real sockets, with a deadline on every wait.
package extest

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Deadline bounds every wait of a test.
const Deadline = 10 * time.Second

// RunFunc is an example's server, started the way its main starts it: it
// serves until ctx ends and calls ready with the address it listens on
// before it serves.
type RunFunc func(ctx context.Context, ready func(addr string)) error

// Server is an example's server running in the test's process.
type Server struct {
	// Addr is the address the server listens on ("127.0.0.1:40123").
	Addr string

	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// Start runs run in a goroutine and returns once the server listens. The
// server is stopped when the test ends, and the test fails if it then
// returns an error or does not stop within Deadline.
func Start(t testing.TB, run RunFunc) *Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cancel: cancel, done: make(chan struct{})}
	addrs := make(chan string, 1)
	go func() {
		defer close(s.done)
		s.err = run(ctx, func(addr string) { addrs <- addr })
	}()
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stopping the server: %v", err)
		}
	})
	select {
	case s.Addr = <-addrs:
		return s
	case <-s.done:
		t.Fatalf("the server ended before it listened: %v", s.err)
	case <-time.After(Deadline):
		t.Fatalf("the server did not listen within %v", Deadline)
	}
	return nil
}

// Wait waits for the server to end by itself and returns what it returned.
func (s *Server) Wait(t testing.TB) error {
	t.Helper()
	select {
	case <-s.done:
		return s.err
	case <-time.After(Deadline):
		t.Fatalf("the server did not end within %v", Deadline)
		return nil
	}
}

// Stop stops the server, as SIGINT does, and returns what it returned.
func (s *Server) Stop() error {
	s.cancel()
	select {
	case <-s.done:
		return s.err
	case <-time.After(Deadline):
		return errors.New("the server did not stop within the deadline")
	}
}

// Context returns a context that ends after Deadline, or when the test
// ends: for a client example's run, which ends by itself, so that a run
// that would hang ends instead (and the test's assertions say what was
// missing).
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), Deadline)
	t.Cleanup(cancel)
	return ctx
}

// Dial connects to addr; every read and write on the connection must be
// done within Deadline, and it is closed when the test ends.
func Dial(t testing.TB, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, Deadline)
	if err != nil {
		t.Fatalf("dialing %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.SetDeadline(time.Now().Add(Deadline)); err != nil {
		t.Fatal(err)
	}
	return c.(*net.TCPConn)
}

// Write writes s to c.
func Write(t testing.TB, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatalf("writing %q: %v", s, err)
	}
}

// ReadN reads exactly n bytes from r.
func ReadN(t testing.TB, r io.Reader, n int) string {
	t.Helper()
	buf := make([]byte, n)
	if got, err := io.ReadFull(r, buf); err != nil {
		t.Fatalf("reading %d bytes (got %q): %v", n, buf[:got], err)
	}
	return string(buf)
}

// ReadAll reads from r until the peer closes the connection.
func ReadAll(t testing.TB, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading to the end (got %q): %v", b, err)
	}
	if c, ok := r.(io.Closer); ok {
		c.Close() // the server closed its side: close ours, as a client does
	}
	return string(b)
}

// TempFile writes content to a new file in the test's temporary directory
// and returns its name.
func TempFile(t testing.TB, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "input.txt")
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}
