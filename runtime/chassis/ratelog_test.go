package chassis

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

// A flood of one warning makes one line, then one line a second later that
// counts the rest; another warning is not held back by it.
func TestRateLogSaysAFloodInTwoLines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		l := slog.New(slog.NewTextHandler(&buf, nil))
		var r rateLog
		for range 1000 {
			r.warn(l, slog.LevelWarn, "outlived", "peer", "127.0.0.1")
		}
		r.warn(l, slog.LevelError, "failed")
		require.Len(t, buf.lines(), 2, "one line per message at first: %q", buf.lines())

		time.Sleep(warnEvery)
		synctest.Wait()
		lines := buf.lines()
		require.Len(t, lines, 3, "%q", lines)
		assert.Contains(t, lines[2], "outlived (more of them, not logged one by one)")
		assert.Contains(t, lines[2], "count=999")
		assert.Contains(t, lines[2], "level=WARN")

		r.warn(l, slog.LevelWarn, "outlived") // the period after the summary
		r.warn(l, slog.LevelWarn, "outlived")
		r.close(l) // says at once what it left out
		lines = buf.lines()
		require.Len(t, lines, 4, "%q", lines)
		assert.Contains(t, lines[3], "count=2")
	})
}
