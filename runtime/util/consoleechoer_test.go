package util_test

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

// Mirrors Kamaelia's test_ConsoleEcho: an echoer is not a forwarder unless
// asked, and both kinds are set up.
func TestConsoleEchoerDefaults(t *testing.T) {
	e := util.NewConsoleEchoer[[]byte]()
	require.False(t, e.Forwarder)
	require.False(t, e.UseRepr)
	require.Empty(t, e.Tag)
	require.Nil(t, e.Writer, "nil means os.Stdout")

	f := util.NewConsoleEchoer[[]byte]()
	f.Forwarder = true
	for _, c := range []*util.ConsoleEchoer[[]byte]{e, f} {
		require.Equal(t, "inbox", c.StdInbox().Name())
		require.Equal(t, "control", c.StdControl().Name())
		require.Equal(t, "outbox", c.StdOutbox().Name())
		require.Equal(t, "signal", c.StdSignal().Name())
		require.Same(t, c.Base(), c.StdInbox().Owner())
	}
	require.True(t, f.Forwarder)
}

// echo runs an echoer fed by a Source of msgs and returns what it wrote.
func echo[T any](t *testing.T, configure func(*util.ConsoleEchoer[T]), msgs ...T) string {
	t.Helper()
	var out lockedBuffer
	e := util.NewConsoleEchoer[T]()
	e.Writer = &out
	if configure != nil {
		configure(e)
	}
	src := axontest.NewSource(msgs...)
	axontest.Link(t, &src.Out, &e.In)
	axontest.Link(t, &src.Signal, &e.Control)
	run(t, src, e)
	axontest.WaitDone(t, e)
	require.NoError(t, e.Err())
	return out.String()
}

type point struct{ X, Y int }

type line []byte

type name string

type celsius float64

func (c celsius) String() string { return fmt.Sprintf("%.1f°C", float64(c)) }

func TestConsoleEchoerWrites(t *testing.T) {
	t.Run("bytes raw, not b'...' (L8)", func(t *testing.T) {
		got := echo(t, nil, []byte("hello\n"), []byte{0, 'x', 0xff})
		require.Equal(t, "hello\n\x00x\xff", got)
	})
	t.Run("strings as they are", func(t *testing.T) {
		require.Equal(t, "one\ntwo", echo(t, nil, "one\n", "two"))
	})
	t.Run("other values with %v", func(t *testing.T) {
		require.Equal(t, "1-2", echo(t, nil, 1, -2))
		require.Equal(t, "{1 2}", echo(t, nil, point{1, 2}))
		require.Equal(t, "[a b]", echo(t, nil, []string{"a", "b"}))
		require.Equal(t, "21.5°C", echo(t, nil, celsius(21.5)))
		require.Equal(t, "boom", echo(t, nil, errors.New("boom")))
		require.Equal(t, "<nil>", echo[any](t, nil, nil))
	})
	t.Run("named text types as text", func(t *testing.T) {
		require.Equal(t, "raw\n", echo(t, nil, line("raw\n")))
		require.Equal(t, "kam", echo(t, nil, name("kam")))
	})
	t.Run("tag before each message", func(t *testing.T) {
		tag := func(e *util.ConsoleEchoer[[]byte]) { e.Tag = "> " }
		require.Equal(t, "> a\n> b\n", echo(t, tag, []byte("a\n"), []byte("b\n")))
	})
	t.Run("repr", func(t *testing.T) {
		repr := func(e *util.ConsoleEchoer[any]) { e.UseRepr = true; e.Tag = "|" }
		got := echo[any](t, repr, []byte("a\n"), "b", 3, point{1, 2})
		require.Equal(t, `|"a\n"|"b"|3|util_test.point{X:1, Y:2}`, got)
	})
	t.Run("flushes a buffered writer", func(t *testing.T) {
		var out lockedBuffer
		w := bufio.NewWriter(&out)
		got := echo(t, func(e *util.ConsoleEchoer[string]) { e.Writer = w }, "x", "y")
		require.Empty(t, got, "the echoer wrote to w, not to the default buffer")
		require.Equal(t, "xy", out.String(), "each message flushed without the test's help")
	})
}

// With Forwarder, every message is also sent on; without, nothing is. The
// signal that stopped the echoer goes on in both cases.
func TestConsoleEchoerForwarder(t *testing.T) {
	for _, forward := range []bool{false, true} {
		t.Run(fmt.Sprint("forwarder=", forward), func(t *testing.T) {
			var out lockedBuffer
			e := util.NewConsoleEchoer[string]()
			e.Writer = &out
			e.Forwarder = forward
			src := axontest.NewSource("a", "b", "c")
			axontest.Link(t, &src.Out, &e.In)
			axontest.Link(t, &src.Signal, &e.Control)
			s := sinkFor(t, e)
			run(t, src, e, s)

			axontest.WaitDone(t, e)
			axontest.WaitDone(t, s)
			require.Equal(t, "abc", out.String())
			// The sink handles its inbox before the signal that follows it,
			// so anything forwarded is in by now.
			if forward {
				require.Equal(t, []string{"a", "b", "c"}, s.Messages())
			} else {
				require.Empty(t, s.Messages())
			}
			require.Len(t, s.Signals(), 1)
			requireFinished(t, s.Signals()[0], src)
		})
	}
}

// What is in the inbox is written before a signal on control is honoured,
// whatever the signal.
func TestConsoleEchoerDrainsInboxBeforeControl(t *testing.T) {
	for name, newSig := range signals() {
		t.Run(name, func(t *testing.T) {
			var out lockedBuffer
			e := util.NewConsoleEchoer[string]()
			e.Writer = &out
			// Everything is waiting before the echoer's first turn.
			var want strings.Builder
			for i := range 20 {
				m := fmt.Sprintf("%d,", i)
				want.WriteString(m)
				require.NoError(t, e.In.Deliver(m))
			}
			sig := newSig()
			require.NoError(t, e.Control.Deliver(sig))
			s := sinkFor(t, e)
			run(t, e, s)

			axontest.WaitDone(t, e)
			axontest.WaitDone(t, s)
			require.Equal(t, want.String(), out.String())
			require.Equal(t, []axon.Signal{sig}, s.Signals())
		})
	}
}

// A producer that sends far more than the inbox holds, then finishes: every
// message is written, in order, before the echoer stops.
func TestConsoleEchoerDrainsUnderBackpressure(t *testing.T) {
	const n = 1000
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("%d\n", i)
	}
	got := echo(t, nil, msgs...)
	require.Equal(t, strings.Join(msgs, ""), got)
}

// failingWriter accepts ok writes, then fails.
type failingWriter struct {
	lockedBuffer
	ok  int
	err error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, w.err
	}
	w.ok--
	return w.lockedBuffer.Write(p)
}

func TestConsoleEchoerWriteError(t *testing.T) {
	boom := errors.New("disk full")
	w := &failingWriter{ok: 1, err: boom}
	e := util.NewConsoleEchoer[string]()
	e.Writer = w
	for _, m := range []string{"kept", "lost", "never"} {
		require.NoError(t, e.In.Deliver(m))
	}
	s := sinkFor(t, e)
	rt := run(t, e, s)

	axontest.WaitDone(t, e)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, e.Err(), boom)
	require.Equal(t, "kept", w.String())
	require.Len(t, s.Signals(), 1)
	requireFailed(t, s.Signals()[0], e, boom)
	require.Equal(t, int64(1), rt.Dropped(), "the message after the failure is dropped, and counted")
}
