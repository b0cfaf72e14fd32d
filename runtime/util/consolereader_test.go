package util_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

func TestConsoleReaderDefaults(t *testing.T) {
	r := util.NewConsoleReader()
	require.Equal(t, ">>> ", r.Prompt)
	require.Equal(t, "\n", r.EOL)
	require.Nil(t, r.Reader, "nil means os.Stdin")
	require.Nil(t, r.PromptWriter, "nil means os.Stdout")
	require.Equal(t, "inbox", r.StdInbox().Name())
	require.Equal(t, "control", r.StdControl().Name())
	require.Equal(t, "outbox", r.StdOutbox().Name())
	require.Equal(t, "signal", r.StdSignal().Name())
}

// Lines are sent as []byte with their ending replaced by EOL (L8: bytes,
// not str), and the end of the input sends a ProducerFinished.
func TestConsoleReaderSendsLinesAsBytes(t *testing.T) {
	const input = "hello\nworld\r\n\nlast"
	tests := []struct {
		name, prompt, eol string
		want              []string
	}{
		{"defaults", ">>> ", "\n", []string{"hello\n", "world\n", "\n", "last\n"}},
		{"crlf", "> ", "\r\n", []string{"hello\r\n", "world\r\n", "\r\n", "last\r\n"}},
		{"no eol, no prompt", "", "", []string{"hello", "world", "", "last"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var prompts lockedBuffer
			r := util.NewConsoleReader()
			r.Reader = strings.NewReader(input)
			r.PromptWriter = &prompts
			r.Prompt = tc.prompt
			r.EOL = tc.eol
			s := sinkFor(t, r)
			run(t, r, s)

			axontest.WaitDone(t, r)
			axontest.WaitDone(t, s) // stopped by the reader's signal
			require.NoError(t, r.Err())
			require.Equal(t, tc.want, texts(s.Messages()))
			require.Len(t, s.Signals(), 1)
			requireFinished(t, s.Signals()[0], r)
			// One prompt before each line read.
			require.Equal(t, strings.Repeat(tc.prompt, 4), prompts.String())
		})
	}
}

func TestConsoleReaderEmptyInput(t *testing.T) {
	r := util.NewConsoleReader()
	r.Reader = strings.NewReader("")
	r.PromptWriter = io.Discard
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, s)
	require.Empty(t, s.Messages())
	requireFinished(t, s.Signals()[0], r)
}

// A signal on control is forwarded, the same object, even while the reader
// waits for a line that never comes.
func TestConsoleReaderForwardsControl(t *testing.T) {
	for name, newSig := range signals() {
		t.Run(name, func(t *testing.T) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() }) // ends the read still waiting

			r := util.NewConsoleReader()
			r.Reader = pr
			r.PromptWriter = io.Discard
			s := sinkFor(t, r)
			run(t, r, s)

			wrote := make(chan error, 1)
			go func() {
				_, err := io.WriteString(pw, "first line\n")
				wrote <- err
			}()
			require.Equal(t, []string{"first line\n"}, texts(s.WaitCount(t, 1)))
			require.NoError(t, <-wrote)

			sig := newSig()
			require.NoError(t, r.Control.Deliver(sig))
			axontest.WaitDone(t, r)
			axontest.WaitDone(t, s)
			require.NoError(t, r.Err())
			require.Len(t, s.Signals(), 1)
			require.Same(t, sig, s.Signals()[0])
			require.Len(t, s.Messages(), 1)
		})
	}
}

// Stop finishes the reader while a read waits, and sends nothing.
func TestConsoleReaderStop(t *testing.T) {
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	r := util.NewConsoleReader()
	r.Reader = pr
	r.PromptWriter = io.Discard
	run(t, r)
	r.Stop()
	axontest.WaitDone(t, r)
	require.NoError(t, r.Err())
	require.Zero(t, r.Signal.Len(), "nothing sent on signal")
}

// A failing input: the lines before the error are sent, then a
// ProducerFinished carrying the error, and the reader fails with it.
func TestConsoleReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	r := util.NewConsoleReader()
	r.Reader = io.MultiReader(strings.NewReader("one\ntwo"), iotest.ErrReader(boom))
	r.PromptWriter = io.Discard
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, r.Err(), boom)
	require.Equal(t, []string{"one\n", "two\n"}, texts(s.Messages()))
	requireFailed(t, s.Signals()[0], r, boom)
}
