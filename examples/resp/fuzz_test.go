package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/resp/internal/store"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// replies runs a Session on a fresh store, hands it the stream in pieces
// cut where cuts says, and returns all it answered.
func replies(t *testing.T, stream []byte, cuts []byte) []byte {
	t.Helper()
	rt := axontest.Runtime(t)
	s := NewSession(store.New())
	out := axontest.NewSink[[]byte]()
	axontest.Link(t, &s.Out, &out.In)
	axontest.Link(t, &s.Signal, &out.Control)
	require.NoError(t, rt.Activate(s, out))
	for _, c := range cuts {
		if len(stream) == 0 {
			break
		}
		n := min(int(c)%8+1, len(stream))
		if s.In.Put(t.Context(), bytes.Clone(stream[:n])) != nil {
			break // the session has ended: a request it could not read
		}
		stream = stream[n:]
	}
	if len(stream) > 0 {
		_ = s.In.Put(t.Context(), bytes.Clone(stream))
	}
	_ = s.Control.Deliver(&axon.ProducerFinished{})
	axontest.WaitDone(t, s)
	out.WaitSignals(t, 1)
	return bytes.Join(out.Messages(), nil)
}

// Any request stream, cut into pieces anywhere, gets the same replies as
// when it comes whole; nothing is ever answered twice or lost.
func FuzzSession(f *testing.F) {
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhe\r\nl\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\n"), []byte{0, 3, 1, 7, 2})
	f.Add([]byte("INCR n\r\nINCR n\nMGET n x\r\nECHO\r\n\r\n*0\r\n*-1\r\nping hi\r\n"), []byte{5, 5, 5})
	f.Add([]byte("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n"), []byte{1})
	f.Add([]byte("*2\r\n$3\r\nGET\r\n$1\r\nab\r\nPING\r\n"), []byte{0})
	f.Add([]byte("SET k 1\r\nSET k 2 PX 100000\r\nGET k\r\nDEL k k\r\nEXISTS k\r\n"), []byte{6, 1, 0, 4})
	f.Fuzz(func(t *testing.T, stream, cuts []byte) {
		if len(stream) > 4096 {
			return
		}
		whole := replies(t, stream, nil)
		cut := replies(t, stream, cuts)
		require.Equal(t, string(whole), string(cut))
	})
}

// The fuzz target's replies are the protocol's: a pipeline cut a byte at a
// time is answered in full, in order.
func TestSessionAnswersAPipelineCutAnywhere(t *testing.T) {
	stream := []byte("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhe\r\nl\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nPING\r\nINCR n\r\n")
	want := "+OK\r\n$5\r\nhe\r\nl\r\n+PONG\r\n:1\r\n"
	require.Equal(t, want, string(replies(t, stream, nil)))
	require.Equal(t, want, string(replies(t, stream, make([]byte, len(stream)))), "a byte at a time")
}
