package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a server of the test's own that takes one connection and
// records everything sent on it, and when.
type recorder struct {
	l     net.Listener
	done  chan struct{}
	got   []byte
	err   error
	first time.Time
}

func newRecorder(t *testing.T) *recorder {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &recorder{l: l, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		c, err := l.Accept()
		if err != nil {
			r.err = err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(extest.Deadline))
		buf := make([]byte, 1)
		if _, r.err = io.ReadFull(c, buf); r.err != nil {
			return
		}
		r.first = time.Now()
		rest, err := io.ReadAll(c)
		r.got, r.err = append(buf, rest...), err
	}()
	t.Cleanup(func() { _ = l.Close(); <-r.done })
	return r
}

func (r *recorder) wait(t *testing.T) ([]byte, time.Time) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(extest.Deadline):
		t.Fatal("the recorder got no end of file")
	}
	require.NoError(t, r.err)
	return r.got, r.first
}

// Every byte arrives, in order, and no faster than the rate: 20,000 bytes
// at 100,000 bytes a second take at least 0.2 s, less the first chunk,
// which is sent at once.
func TestSendsTheFileAtTheRate(t *testing.T) {
	content := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\n", 20000/37+1)[:20000]
	file := extest.TempFile(t, content)
	rec := newRecorder(t)
	err := run(extest.Context(t), []string{"-addr", rec.l.Addr().String(), "-file", file, "-rate", "100000"}, io.Discard)
	require.NoError(t, err)
	ended := time.Now()
	got, first := rec.wait(t)
	assert.Equal(t, content, string(got))
	chunk := 100000 / 1000 // the default chunk: a thousandth of the rate
	least := time.Duration(float64(len(content)-chunk) / 100000 * float64(time.Second))
	assert.GreaterOrEqual(t, ended.Sub(first), least*9/10, "sent no faster than the rate")
}

// What the server answers is printed.
func TestPrintsWhatTheServerSays(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	wg.Go(func() { // an echo server for one client
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(extest.Deadline))
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err == nil {
			_, _ = c.Write(buf)
		}
		_, _ = io.Copy(io.Discard, c)
	})
	var out lockedBuffer
	// Slow enough that the echo comes back before the end of the file.
	file := extest.TempFile(t, "hello"+strings.Repeat(".", 200))
	require.NoError(t, run(extest.Context(t), []string{"-addr", l.Addr().String(), "-file", file, "-rate", "1000"}, &out))
	assert.Equal(t, "hello", out.String())
}

func TestBadFlags(t *testing.T) {
	assert.ErrorContains(t, run(extest.Context(t), []string{"-addr", "127.0.0.1:1"}, io.Discard), "-file is required")
	assert.ErrorContains(t, run(extest.Context(t), []string{"-file", "x", "-rate", "0"}, io.Discard), "-rate must be positive")
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
