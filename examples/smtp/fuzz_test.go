package main

import (
	"bytes"
	"crypto/tls"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// Any input, cut anywhere, gives the same replies as when it comes whole,
// never more than the limits allow to be held, and every reply is a CRLF
// line with a three-digit code.
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

// session feeds pieces to a session outside any runtime, as its inbox
// would, with messages saved at once, and returns its replies.
func session(t *testing.T, pieces [][]byte) []byte {
	t.Helper()
	s := newSMTP(&Config{Hostname: "fuzz", MaxSize: 1000, TLS: &tls.Config{}, Save: func([]byte) error { return nil }}, "peer")
	replies := axontest.NewSink[[]byte]() // never activated: the test reads its inbox
	replies.In.SetCap(1 << 20)
	_, err := axon.Link(&s.Out, &replies.In)
	require.NoError(t, err)
	s.OnStart()
	for _, p := range pieces {
		s.OnIn(p)
		for s.writing { // the message is being saved on a goroutine
			if err, ok := s.Saved.TryRecv(); ok {
				s.OnSaved(err)
			} else {
				runtime.Gosched()
			}
		}
		require.LessOrEqual(t, len(s.body)-s.received, s.cfg.MaxSize, "a message is held up to MaxSize")
		require.LessOrEqual(t, len(s.held), maxHeldInput+maxDataLine)
	}
	var out []byte
	for {
		m, ok := replies.In.TryRecv()
		if !ok {
			return out
		}
		out = append(out, m...)
	}
}
