package framing_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/framing"
)

// liner is a component with a framed inbox, dispatched as kamgen's
// generated code does for `inbox:"inbox,lines=8"`: each line is sent on,
// and a line "BODY n" makes the next frame a body of n bytes.
type liner struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	errs    []error
	tell    bool // bad frames go to the handler
}

func newLiner(outCap int, tell bool) *liner {
	l := &liner{tell: tell}
	l.In.Init(&l.Component, "inbox", 0)
	l.Control.Init(&l.Component, "control", 0)
	l.Out.Init(&l.Component, "outbox", outCap)
	framing.Attach(&l.In, framing.Lines(8))
	return l
}

func (l *liner) Dispatch(t *axon.Turn) {
	if l.tell {
		axon.ServeFramesErr(t, &l.In, l.onFrameErr)
	} else {
		axon.ServeFrames(t, &l.In, l.onFrame)
	}
	axon.ServeLast(t, &l.Control, func(axon.Signal) { l.Out.Send([]byte("END")); l.Stop() })
}

func (l *liner) onFrame(line []byte) {
	if n, ok := strings.CutPrefix(string(line), "BODY "); ok {
		size, _ := strconv.Atoi(n)
		framing.Of(&l.In).Then(framing.Exact(size))
	}
	l.Out.Send([]byte(string(line)))
}

func (l *liner) onFrameErr(line []byte, err error) {
	if err != nil {
		l.errs = append(l.errs, err)
		l.Out.Send([]byte("TOO LONG"))
		return
	}
	l.onFrame(line)
}

func run(t *testing.T, l *liner, pieces ...string) *axontest.Sink[[]byte] {
	t.Helper()
	rt := axontest.Runtime(t)
	out := axontest.NewSink[[]byte]()
	axontest.Link(t, &l.Out, &out.In)
	require.NoError(t, rt.Activate(l, out))
	for _, p := range pieces {
		require.NoError(t, l.In.Put(t.Context(), []byte(p)))
	}
	return out
}

// Frames come whole and in order wherever the stream was cut, a mode
// switch included, and a signal after the data waits for every frame.
func TestServeFramesCutsAnywhere(t *testing.T) {
	stream := "one\r\ntwo\nBODY 5\nab\ncdthree\n"
	want := []string{"one", "two", "BODY 5", "ab\ncd", "three", "END"}
	for cut := 0; cut <= len(stream); cut++ {
		l := newLiner(0, false)
		out := run(t, l, stream[:cut], stream[cut:])
		require.NoError(t, l.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
		got := out.WaitCount(t, len(want))
		assert.Equal(t, want, texts(got), "cut at %d", cut)
		axontest.WaitDone(t, l)
	}
}

// A full destination stops the turn in the middle of a piece; the rest of
// the piece is served once there is room, before the signal that followed
// it, and nothing is lost or reordered.
func TestServeFramesResumesMidPiece(t *testing.T) {
	l := newLiner(1, false)
	g := &gate{release: make(chan struct{}), got: make(chan string, 8)}
	g.In.Init(&g.Component, "inbox", 1)
	rt := axontest.Runtime(t)
	axontest.Link(t, &l.Out, &g.In)
	require.NoError(t, rt.Activate(l, g))
	require.NoError(t, l.In.Deliver([]byte("a\nb\nc\nd\n")))
	require.NoError(t, l.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	var got []string
	for range 5 {
		g.release <- struct{}{}
		select {
		case m := <-g.got:
			got = append(got, m)
		case <-time.After(axontest.Timeout):
			t.Fatalf("only %v arrived", got)
		}
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "END"}, got)
	axontest.WaitDone(t, l)
}

// gate takes one message each time the test releases it.
type gate struct {
	axon.Component
	In      axon.Inbox[[]byte]
	release chan struct{}
	got     chan string
}

func (g *gate) Dispatch(t *axon.Turn) {
	axon.Serve(t, &g.In, func(m []byte) { <-g.release; g.got <- string(m) })
}

// A line over the limit fails a component whose handler takes only frames;
// one that takes errors is told, and the frames after it are whole.
func TestServeFramesBadFrames(t *testing.T) {
	l := newLiner(0, false)
	run(t, l, "ok\nmuch too long\n")
	axontest.WaitDone(t, l)
	require.ErrorIs(t, l.Err(), framing.ErrTooLong)
	assert.Contains(t, l.Err().Error(), "inbox")

	m := newLiner(0, true)
	out := run(t, m, "ok\nmuch too", " long\nnext\n")
	assert.Equal(t, []string{"ok", "TOO LONG", "next"}, texts(out.WaitCount(t, 3)))
	require.Len(t, m.errs, 1)
	assert.True(t, errors.Is(m.errs[0], framing.ErrTooLong))
}
