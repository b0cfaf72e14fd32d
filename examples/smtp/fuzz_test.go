package main

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// Any input, cut anywhere, gives the same replies as when it comes whole,
// and every reply is a CRLF line with a three-digit code.
func FuzzSession(f *testing.F) {
	f.Add([]byte("EHLO a\r\nMAIL FROM:<a@b> SIZE=10\r\nRCPT TO:<c@d>\r\nDATA\r\n.x\r\n..\r\n.\r\nQUIT\r\n"), 7)
	f.Add([]byte("HELO a\r\nMAIL FROM:<>\r\nRCPT TO:<c>\r\nDATA\r\n"+strings.Repeat("y", 3000)+"\r\n.\r\nRSET\r\n"), 100)
	f.Add([]byte("STARTTLS\r\nMAIL FROM:<injected>\r\n"), 3)
	f.Add([]byte(strings.Repeat("z", 2000)+"\r\nNOOP\r\n"), 1000)
	f.Fuzz(func(t *testing.T, in []byte, cut int) {
		whole := session(t, [][]byte{in})
		if cut < 0 || cut > len(in) {
			cut = len(in) / 2
		}
		assert.Equal(t, whole, session(t, [][]byte{in[:cut], in[cut:]}), "cut at %d", cut)
		for _, r := range bytes.SplitAfter(whole, []byte("\r\n")) {
			if len(r) > 0 {
				require.Regexp(t, `^[2-5][0-9][0-9][ -].*\r\n$`, string(r))
			}
		}
	})
}

// session runs a session in a runtime of its own, with messages saved at
// once, feeds it pieces as its adapter would, and returns its replies once
// it has answered them all.
func session(t *testing.T, pieces [][]byte) []byte {
	t.Helper()
	rt := axontest.Runtime(t)
	s := newSMTP(&Config{Hostname: "fuzz", MaxSize: 1000, TLS: &tls.Config{}, Save: func([]byte) error { return nil }}, "peer")
	replies := axontest.NewSink[[]byte]()
	axontest.Link(t, &s.Out, &replies.In)
	axontest.Link(t, &s.Signal, &replies.Control)
	require.NoError(t, rt.Activate(s, replies))
	for _, p := range pieces {
		require.NoError(t, s.In.Put(t.Context(), bytes.Clone(p)))
	}
	require.NoError(t, s.Control.Deliver(&axon.ProducerFinished{}))
	axontest.WaitDone(t, s)
	replies.WaitSignals(t, 1)
	return bytes.Join(replies.Messages(), nil)
}

// While a message is being saved the session takes no line: a command sent
// with the end of the message waits in the inbox (and TCP holds the client
// back) until the save has returned, and its reply comes after the 250.
func TestLinesWaitWhileTheMessageIsSaved(t *testing.T) {
	rt := axontest.Runtime(t)
	entered, gate := make(chan struct{}), make(chan struct{})
	s := newSMTP(&Config{Hostname: "h", MaxSize: 1000, Save: func([]byte) error {
		close(entered)
		<-gate
		return nil
	}}, "peer")
	replies := axontest.NewSink[[]byte]()
	axontest.Link(t, &s.Out, &replies.In)
	require.NoError(t, rt.Activate(s, replies))
	require.NoError(t, s.In.Put(t.Context(), []byte("HELO a\r\nMAIL FROM:<>\r\nRCPT TO:<b>\r\nDATA\r\nhi\r\n.\r\nNOOP\r\n")))
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the message was never saved")
	}
	got := string(bytes.Join(replies.Messages(), nil))
	assert.NotContains(t, got, "250 2.0.0 OK", "neither the message nor NOOP is answered while the save runs: %q", got)
	close(gate)
	replies.WaitFor(t, "the replies to the message and to NOOP", func() bool {
		return strings.Count(string(bytes.Join(replies.Messages(), nil)), "250 2.0.0 OK") == 2
	})
}
