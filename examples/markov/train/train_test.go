package main

import (
	"bufio"
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

// answering is a server of the test's own that answers each line once,
// as the chat server does, and records what it was sent. It reads batch
// lines before it answers them, so that answers come after the client has
// sent all of them.
type answering struct {
	l   net.Listener
	wg  sync.WaitGroup
	mu  sync.Mutex
	got bytes.Buffer
}

func newAnswering(t *testing.T, batch int, answer func(line string) string) *answering {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &answering{l: l}
	s.wg.Go(func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(extest.Deadline))
		r := bufio.NewReader(c)
		var pending []string
		for {
			line, err := r.ReadString('\n')
			s.mu.Lock()
			s.got.WriteString(line)
			s.mu.Unlock()
			if err != nil {
				return // the client has finished
			}
			if pending = append(pending, line); len(pending) < batch {
				continue
			}
			for _, l := range pending {
				if _, err := io.WriteString(c, answer(l)); err != nil {
					return
				}
			}
			pending = pending[:0]
		}
	})
	t.Cleanup(func() {
		_ = l.Close()
		s.wg.Wait()
	})
	return s
}

func (s *answering) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got.String()
}

// The whole file arrives, a last line without a newline gets one, and
// every answer is printed, though they all come after the end of the file:
// the connection is closed only once every line has been answered.
func TestTrainSendsTheFileAndPrintsEveryAnswer(t *testing.T) {
	srv := newAnswering(t, 4, func(line string) string { return "heard: " + line })
	file := extest.TempFile(t, "the cat sat on the mat\n\nthe dog ate the cat\nno newline at the end")
	var out bytes.Buffer
	err := run(extest.Context(t), []string{"-addr", srv.l.Addr().String(), "-file", file}, strings.NewReader(""), &out)
	require.NoError(t, err)
	srv.wg.Wait()
	assert.Equal(t, "the cat sat on the mat\n\nthe dog ate the cat\nno newline at the end\n", srv.received())
	assert.Equal(t, "heard: the cat sat on the mat\nheard: \nheard: the dog ate the cat\nheard: no newline at the end\n", out.String())
}

// Answers that come in pieces, or several in one piece, are counted by
// their newlines; standard input works as the file.
func TestTrainCountsAnswersByLine(t *testing.T) {
	var n int
	srv := newAnswering(t, 1, func(string) string {
		n++
		if n%2 == 1 {
			return "odd "
		}
		return "and even\nboth\n"
	})
	var out bytes.Buffer
	err := run(extest.Context(t), []string{"-addr", srv.l.Addr().String(), "-file", "-"}, strings.NewReader("1\n2\n3\n4\n"), &out)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("odd and even\nboth\n", 2), out.String())
}

// A server that is not there is an error.
func TestTrainWithoutServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	err = run(extest.Context(t), []string{"-addr", addr, "-file", extest.TempFile(t, "hello\n")}, strings.NewReader(""), io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused")
}
