package util_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer that a component may write to while the
// test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// writeFile writes content to a new file in the test's temporary directory
// and returns its name.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "input")
	require.NoError(t, os.WriteFile(name, []byte(content), 0o600))
	return name
}

// sinkFor links a stage's outbox and signal to a new Sink, which stops on
// the stage's first signal.
func sinkFor[I, O any](t *testing.T, st axon.Stage[I, O]) *axontest.Sink[O] {
	t.Helper()
	s := axontest.NewSink[O]()
	axontest.Link(t, st.StdOutbox(), &s.In)
	axontest.Link(t, st.StdSignal(), &s.Control)
	return s
}

// run activates the parts in a new runtime.
func run(t *testing.T, parts ...axon.Part) *axon.Runtime {
	t.Helper()
	rt := axontest.Runtime(t)
	require.NoError(t, rt.Activate(parts...))
	return rt
}

// texts turns messages into strings, for readable comparisons.
func texts(msgs [][]byte) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m)
	}
	return out
}

// requireFinished checks that sig is a ProducerFinished from caller with no
// error in it.
func requireFinished(t *testing.T, sig axon.Signal, caller any) {
	t.Helper()
	pf, ok := sig.(*axon.ProducerFinished)
	require.Truef(t, ok, "signal is %T, want *axon.ProducerFinished", sig)
	require.Same(t, caller, pf.Caller)
	require.Nil(t, pf.Message)
}

// requireFailed checks that sig is a ProducerFinished from caller whose
// Message is an error matching target, and returns that error.
func requireFailed(t *testing.T, sig axon.Signal, caller any, target error) error {
	t.Helper()
	pf, ok := sig.(*axon.ProducerFinished)
	require.Truef(t, ok, "signal is %T, want *axon.ProducerFinished", sig)
	require.Same(t, caller, pf.Caller)
	err, ok := pf.Message.(error)
	require.Truef(t, ok, "Message is %T, want an error", pf.Message)
	require.ErrorIs(t, err, target)
	return err
}

// signals is the two kinds of signal, for tests that check both are
// forwarded.
func signals() map[string]func() axon.Signal {
	return map[string]func() axon.Signal{
		"ProducerFinished":     func() axon.Signal { return &axon.ProducerFinished{Caller: "upstream"} },
		"ShutdownMicroprocess": func() axon.Signal { return &axon.ShutdownMicroprocess{} },
	}
}

// reader is a file-reading stage that reports the error it failed with.
type reader[I any] interface {
	axon.Stage[I, []byte]
	Err() error
}

// readPaced runs a configured reader to its end, on a clock of the test's
// own (testing/synctest: time moves only when every goroutine waits), and
// returns what it sent and how long it took by that clock. It must finish
// with a ProducerFinished.
func readPaced[I any](t *testing.T, r reader[I]) (got []string, took time.Duration) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		s := sinkFor[I, []byte](t, r)
		start := time.Now()
		run(t, r, s)
		axontest.WaitDone(t, s)
		took = time.Since(start)
		axontest.WaitDone(t, r)
		require.NoError(t, r.Err())
		require.Len(t, s.Signals(), 1)
		requireFinished(t, s.Signals()[0], r)
		got = texts(s.Messages())
	})
	return got, took
}
