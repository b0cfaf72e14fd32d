package framing_test

import (
	"io"
	"strings"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/framing"
	"github.com/stretchr/testify/require"
)

// pieces turns strings into the []byte messages of a stream.
func pieces(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// runPipeline runs a Source of msgs, the stages and a Sink in a
// Pipeline, waits for the Pipeline to finish and returns the sink and the
// Pipeline's error.
func runPipeline(t *testing.T, msgs [][]byte, stages ...axon.Stage[[]byte, []byte]) (*axontest.Sink[[]byte], error) {
	t.Helper()
	src := axontest.NewSource(msgs...)
	sink := axontest.NewSink[[]byte]()
	all := []axon.Stage[[]byte, []byte]{}
	all = append(all, stages...)
	all = append(all, sink)
	p := chassis.Pipeline2(src, chassis.NewPipeline(all...))
	p.Done() // made before the Pipeline can finish (see chassis' tests)
	require.NoError(t, axontest.Runtime(t).Activate(p))
	axontest.WaitDone(t, p)
	return sink, p.Err()
}

func texts(msgs [][]byte) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m)
	}
	return out
}

func TestSplitterSendsOneFramePerMessage(t *testing.T) {
	split := framing.NewSplitter(framing.Lines(16))
	sink, err := runPipeline(t, pieces("HELO a", ".org\r\nNOOP\r", "\n\nQU", "IT\r\n"), split)
	require.NoError(t, err)
	require.Equal(t, []string{"HELO a.org", "NOOP", "", "QUIT"}, texts(sink.Messages()))
	sigs := sink.Signals()
	require.Len(t, sigs, 1)
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.True(t, ok, "the source's producerFinished is forwarded")
	require.Nil(t, pf.Message)
	require.NotSame(t, split, pf.Caller, "the same signal, not a new one")
}

func TestSplitterCopiesFrames(t *testing.T) {
	piece := []byte("one\ntwo\n")
	sink, err := runPipeline(t, [][]byte{piece}, framing.NewSplitter(framing.Lines(16)))
	require.NoError(t, err)
	got := sink.Messages()
	require.Equal(t, []string{"one", "two"}, texts(got))
	copy(piece, "XXXXXXXX")
	require.Equal(t, []string{"one", "two"}, texts(got), "frames are copies the receiver owns")
}

// Kamaelia's DataChunker and DataDeChunker: messages framed with a length
// header, cut into single bytes on the way, come out whole.
func TestPrefixerAndSplitterRoundTrip(t *testing.T) {
	msgs := pieces("hello", "", "a\x00b\nc", strings.Repeat("z", 300))
	for _, h := range []framing.Header{framing.U16, framing.U32, framing.Uvarint} {
		sink, err := runPipeline(t, msgs,
			framing.NewPrefixer(h),
			framing.NewSplitter(framing.Exact(1)), // the stream, a byte at a time
			framing.NewSplitter(framing.Prefixed(h, 300)),
		)
		require.NoError(t, err)
		require.Equal(t, texts(msgs), texts(sink.Messages()), "header %d", h)
	}
}

func TestPrefixerWritesHeaders(t *testing.T) {
	tests := []struct {
		h    framing.Header
		msg  string
		want string
	}{
		{framing.U8, "abc", "\x03abc"},
		{framing.U16, "abc", "\x00\x03abc"},
		{framing.U32, "", "\x00\x00\x00\x00"},
		{framing.Uvarint, strings.Repeat("v", 200), "\xc8\x01" + strings.Repeat("v", 200)},
	}
	for _, tt := range tests {
		sink, err := runPipeline(t, pieces(tt.msg), framing.NewPrefixer(tt.h))
		require.NoError(t, err)
		require.Equal(t, []string{tt.want}, texts(sink.Messages()))
	}
}

// runFailing runs stage on its own, fed msgs and a producerFinished, with
// its outboxes linked to a Sink that nothing stops: unlike a Pipeline,
// which stops its other stages when one fails, the sink sees everything the
// stage sent. It returns the sink once it has the stage's signal, and the
// stage's error.
func runFailing(t *testing.T, msgs [][]byte, stage interface {
	axon.Stage[[]byte, []byte]
	axon.Part
}) (*axontest.Sink[[]byte], error) {
	t.Helper()
	sink := axontest.NewSink[[]byte]()
	axontest.Link(t, stage.StdOutbox(), &sink.In)
	axontest.Link(t, stage.StdSignal(), &sink.Control)
	stage.Base().Done()
	require.NoError(t, axontest.Runtime(t).Activate(stage, sink))
	for _, m := range msgs {
		require.NoError(t, stage.StdInbox().Deliver(m))
	}
	require.NoError(t, stage.StdControl().Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, stage)
	sink.WaitSignals(t, 1)
	return sink, stage.Base().Err()
}

// requireFailedWith checks that the sink got a ProducerFinished from
// caller carrying an error that matches target.
func requireFailedWith(t *testing.T, sink *axontest.Sink[[]byte], caller any, target error) {
	t.Helper()
	sigs := sink.Signals()
	require.Len(t, sigs, 1)
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.Truef(t, ok, "signal is %T, want *axon.ProducerFinished", sigs[0])
	require.Same(t, caller, pf.Caller)
	err, ok := pf.Message.(error)
	require.Truef(t, ok, "Message is %T, want an error", pf.Message)
	require.ErrorIs(t, err, target)
}

func TestSplitterFailsOnATooLongFrame(t *testing.T) {
	split := framing.NewSplitter(framing.Lines(4))
	sink, err := runFailing(t, pieces("ok\nmuch too long\nnever\n"), split)
	require.ErrorIs(t, err, framing.ErrTooLong, "nothing is dropped silently: the pipeline fails")
	require.Contains(t, err.Error(), "Lines(4)")
	require.Equal(t, []string{"ok"}, texts(sink.Messages()))
	requireFailedWith(t, sink, split, framing.ErrTooLong)
}

func TestSplitterFailsOnABadHeader(t *testing.T) {
	split := framing.NewSplitter(framing.Prefixed(framing.Uvarint, 8))
	sink, err := runFailing(t, pieces("\x01a", strings.Repeat("\xff", 12)), split)
	require.ErrorIs(t, err, framing.ErrBadHeader)
	require.Equal(t, []string{"a"}, texts(sink.Messages()))
	requireFailedWith(t, sink, split, framing.ErrBadHeader)
}

func TestSplitterFailsWhenTheStreamEndsInAFrame(t *testing.T) {
	split := framing.NewSplitter(framing.Lines(16))
	sink, err := runFailing(t, pieces("one\ntw"), split)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	require.Equal(t, []string{"one"}, texts(sink.Messages()))
	requireFailedWith(t, sink, split, io.ErrUnexpectedEOF)
}

func TestSplitterForwardsShutdownWithAPartialFrame(t *testing.T) {
	split := framing.NewSplitter(framing.Lines(16))
	sink := axontest.NewSink[[]byte]()
	axontest.Link(t, &split.Out, &sink.In)
	axontest.Link(t, &split.Signal, &sink.Control)
	split.Done()
	sink.Done()
	require.NoError(t, axontest.Runtime(t).Activate(split, sink))
	require.NoError(t, split.In.Deliver([]byte("one\npart")))
	stop := &axon.ShutdownMicroprocess{}
	require.NoError(t, split.Control.Deliver(stop))
	axontest.WaitDone(t, split)
	axontest.WaitDone(t, sink)
	require.NoError(t, split.Err(), "shutdownMicroprocess stops it, whatever it holds")
	require.Equal(t, []string{"one"}, texts(sink.Messages()))
	require.Equal(t, []axon.Signal{stop}, sink.Signals())
}

func TestPrefixerFailsOnAMessageTooLongForItsHeader(t *testing.T) {
	pre := framing.NewPrefixer(framing.U8)
	sink, err := runFailing(t, pieces("fine", strings.Repeat("x", 256)), pre)
	require.ErrorIs(t, err, framing.ErrTooLong)
	require.Contains(t, err.Error(), "256 bytes")
	require.Equal(t, []string{"\x04fine"}, texts(sink.Messages()))
	requireFailedWith(t, sink, pre, framing.ErrTooLong)
}

func TestStagesPanicOnBadArguments(t *testing.T) {
	require.Panics(t, func() { framing.NewSplitter(framing.Mode{}) })
	require.Panics(t, func() { framing.NewPrefixer(0) })
}
