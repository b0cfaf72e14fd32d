package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/framing"
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

// A client that never sends a newline cannot grow Chatty without bound:
// a line over maxLine is answered with a notice, not learnt, and what
// Chatty holds of it stays within the limit; the next line is whole.
func TestChattyRefusesEndlessLines(t *testing.T) {
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
	require.NoError(t, c.In.Put(t.Context(), []byte("\nshort line\n")))
	replies := out.WaitCount(t, 2)
	assert.Equal(t, tooLong, string(replies[0]))
	assert.Equal(t, "short line\n", string(replies[1]))
	assert.Equal(t, []string{"short line"}, store.lines(), "the long line was not learnt")
	assert.LessOrEqual(t, framing.Of(&c.In).Buffered(), maxLine, "what is kept is bounded")
	c.Stop()
	axontest.WaitDone(t, c)
}

// A store that takes its time (Redis far away) holds up no worker: with a
// single worker, one Chatty waits for its store while another answers.
func TestSlowStoreHoldsUpNoWorker(t *testing.T) {
	rt := axontest.Runtime(t, axon.WithWorkers(1))
	slow := newBlockingStore()
	waiting := NewChatty(&Chain{Store: slow})
	waitingOut := axontest.NewSink[[]byte]()
	axontest.Link(t, &waiting.Out, &waitingOut.In)
	quick := NewChatty(&Chain{Store: NewMemoryStore()})
	quickOut := axontest.NewSink[[]byte]()
	axontest.Link(t, &quick.Out, &quickOut.In)
	require.NoError(t, rt.Activate(waiting, waitingOut, quick, quickOut))

	require.NoError(t, waiting.In.Deliver([]byte("slow line\n")))
	slow.waitAsked(t)
	require.NoError(t, quick.In.Deliver([]byte("quick line\n")))
	assert.Equal(t, "quick line\n", string(quickOut.WaitCount(t, 1)[0]), "answered while the other waits")
	assert.Empty(t, waitingOut.Messages())
	close(slow.release)
	assert.Equal(t, "slow line\n", string(waitingOut.WaitCount(t, 1)[0]))
}

// A signal lets Chatty answer the lines before it, then it forwards the
// signal and stops; stopping it ends a question in flight at once, even
// while its store is busy with a line.
func TestChattyStops(t *testing.T) {
	rt := axontest.Runtime(t)
	c := NewChatty(&Chain{Store: NewMemoryStore()})
	out := axontest.NewSink[[]byte]()
	axontest.Link(t, &c.Out, &out.In)
	axontest.Link(t, &c.Signal, &out.Control)
	require.NoError(t, rt.Activate(c, out))
	require.NoError(t, c.In.Deliver([]byte("a b\nc d\ne f\n")))
	fin := &axon.ProducerFinished{Caller: nil}
	require.NoError(t, c.Control.Deliver(fin))
	axontest.WaitDone(t, c)
	assert.Len(t, out.WaitCount(t, 3), 3, "every line before the signal answered")
	assert.Same(t, fin, out.WaitSignals(t, 1)[0])

	slow := newBlockingStore()
	defer close(slow.release)
	d := NewChatty(&Chain{Store: slow})
	require.NoError(t, rt.Activate(d))
	require.NoError(t, d.In.Deliver([]byte("never answered\n")))
	slow.waitAsked(t)
	d.Stop()
	axontest.WaitDone(t, d)
}

// The console pipeline of the seed: lines typed, replies printed, and the
// end of input ends the program.
func TestConsolePipeline(t *testing.T) {
	var out lockedBuffer
	err := run(extest.Context(t), []string{"-console"}, strings.NewReader("the only line\n"), &out, nil)
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

// blockingStore's Next waits until release is closed or its context ends.
type blockingStore struct {
	*MemoryStore
	release chan struct{}
	once    sync.Once
	entered chan struct{}
}

func newBlockingStore() *blockingStore {
	return &blockingStore{MemoryStore: NewMemoryStore(), release: make(chan struct{}), entered: make(chan struct{})}
}

// waitAsked waits until the store has been asked for a word.
func (s *blockingStore) waitAsked(t *testing.T) {
	t.Helper()
	select {
	case <-s.entered:
	case <-time.After(axontest.Timeout):
		t.Fatal("the store was never asked")
	}
}

func (s *blockingStore) Next(ctx context.Context, a, b string) (string, bool, error) {
	s.once.Do(func() { close(s.entered) })
	select {
	case <-s.release:
		return s.MemoryStore.Next(ctx, a, b)
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
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
