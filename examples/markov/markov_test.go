package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A chain that learnt one line can only say that line.
func TestChainRepeatsItsOnlyLine(t *testing.T) {
	c := &Chain{Store: NewMemoryStore()}
	ctx := context.Background()
	s, err := c.Sentence(ctx)
	require.NoError(t, err)
	assert.Empty(t, s, "an empty chain says nothing")
	require.NoError(t, c.Learn(ctx, "  the cat  sat "))
	s, err = c.Sentence(ctx)
	require.NoError(t, err)
	assert.Equal(t, "the cat sat", s)
}

// Every word of a reply was learnt, and every step of it was seen.
func TestChainOnlySaysWhatItLearnt(t *testing.T) {
	c := &Chain{Store: NewMemoryStore()}
	ctx := context.Background()
	lines := []string{"a b c", "a b d", "x b c e", "a"}
	for _, l := range lines {
		require.NoError(t, c.Learn(ctx, l))
	}
	seen := map[[3]string]bool{}
	for _, l := range lines {
		for _, p := range pairs(strings.Fields(l)) {
			seen[p] = true
		}
	}
	for range 200 {
		s, err := c.Sentence(ctx)
		require.NoError(t, err)
		a, b := start, start
		for _, w := range strings.Fields(s) {
			require.True(t, seen[[3]string{a, b, w}], "step %q %q -> %q never learnt (reply %q)", a, b, w, s)
			a, b = b, w
		}
	}
}

// Lines are cut where the newlines are, whatever pieces the bytes come in.
func TestChattyRepliesPerLine(t *testing.T) {
	rt := axontest.Runtime(t)
	store := &countingStore{MemoryStore: NewMemoryStore()}
	c := NewChatty(&Chain{Store: store})
	out := axontest.NewSink[[]byte]()
	axontest.Link(t, &c.Out, &out.In)
	require.NoError(t, rt.Activate(c, out))
	for _, piece := range []string{"hello wo", "rld\r\n", "one\ntwo\n"} {
		require.NoError(t, c.In.Deliver([]byte(piece)))
	}
	replies := out.WaitCount(t, 3)
	assert.Equal(t, []string{"hello world"}, store.lines()[:1], "a line split in two counts once")
	assert.Equal(t, []string{"hello world", "one", "two"}, store.lines(), "two lines in one piece count twice")
	assert.Equal(t, "hello world\n", string(replies[0]))
	for _, r := range replies {
		assert.True(t, bytes.HasSuffix(r, []byte("\n")))
	}
}

// A client that never sends a newline cannot grow Chatty without bound.
func TestChattyCutsEndlessLines(t *testing.T) {
	rt := axontest.Runtime(t)
	store := &countingStore{MemoryStore: NewMemoryStore()}
	c := NewChatty(&Chain{Store: store})
	out := axontest.NewSink[[]byte]()
	axontest.Link(t, &c.Out, &out.In)
	require.NoError(t, rt.Activate(c, out))
	chunk := bytes.Repeat([]byte("x"), 1000)
	for range 9 {
		require.NoError(t, c.In.Put(t.Context(), chunk))
	}
	out.WaitCount(t, 1)
	require.Len(t, store.lines(), 1)
	assert.Len(t, store.lines()[0], maxLine)
	c.Stop()
	axontest.WaitDone(t, c)
	assert.LessOrEqual(t, cap(c.partial), 2*maxLine, "what is kept is bounded")
}

// The console pipeline of the seed: lines typed, replies printed, and the
// end of input ends the program.
func TestConsolePipeline(t *testing.T) {
	var out lockedBuffer
	err := run([]string{"-console"}, strings.NewReader("the only line\n"), &out)
	require.NoError(t, err)
	got := out.String()
	assert.Equal(t, 2, strings.Count(got, ">>> "), "a prompt before each read: %q", got)
	assert.Equal(t, "the only line\n", strings.ReplaceAll(got, ">>> ", ""), "the only possible reply")
}

// lockedBuffer is written by the reader's prompt and the echoer at once, as
// os.Stdout is.
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

func TestServerModeNotYetAvailable(t *testing.T) {
	err := run(nil, strings.NewReader(""), &bytes.Buffer{})
	require.ErrorIs(t, err, errNoServer)
}

type countingStore struct {
	*MemoryStore
	mu    sync.Mutex
	learn []string
}

func (s *countingStore) Learn(ctx context.Context, words []string) error {
	s.mu.Lock()
	s.learn = append(s.learn, strings.Join(words, " "))
	s.mu.Unlock()
	return s.MemoryStore.Learn(ctx, words)
}

func (s *countingStore) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.learn...)
}

var _ axon.Stage[[]byte, []byte] = (*Chatty)(nil)
