package internet_test

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/testcert"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
)

// holder is a STARTTLS handler that lets plain text pile up: on a piece
// starting "STARTTLS" it stops taking from its inbox and reports itself on
// asked; it asks for TLS when the test says so on Go; once the handshake
// is done it takes from its inbox again and echoes what it gets. Plain text
// that waits in its inbox when it asks for TLS is what an injection leaves
// behind.
type holder struct {
	axon.Component
	Ready   axon.Inbox[axon.None]
	Go      axon.Inbox[axon.None]
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
	Upgrade axon.Outbox[*internet.TLSUpgrade]

	config  *tls.Config
	asked   chan<- *holder
	holding bool
}

func newHolder(config *tls.Config, asked chan<- *holder) *holder {
	h := &holder{config: config, asked: asked}
	h.Ready.Init(&h.Component, "sslready", 0)
	h.Go.Init(&h.Component, "go", 1)
	h.In.Init(&h.Component, "inbox", 0)
	h.Control.Init(&h.Component, "control", 0)
	h.Out.Init(&h.Component, "outbox", 0)
	h.Signal.Init(&h.Component, "signal", 0)
	h.Upgrade.Init(&h.Component, "makessl", 0)
	return h
}

func (h *holder) Dispatch(t *axon.Turn) {
	axon.Serve(t, &h.Ready, func(axon.None) { h.holding = false })
	axon.Serve(t, &h.Go, func(axon.None) {
		h.Upgrade.Send(&internet.TLSUpgrade{Config: h.config, Server: true, Plain: []byte("GO\n")})
	})
	if !h.holding {
		axon.Serve(t, &h.In, h.onIn)
	}
	axon.ServeLast(t, &h.Control, func(sig axon.Signal) { h.Signal.Send(sig); h.Stop() })
}

func (h *holder) onIn(p []byte) {
	if strings.HasPrefix(string(p), "STARTTLS") {
		h.holding = true
		h.asked <- h
		return
	}
	h.Out.Send(p)
}

func (h *holder) StdInbox() *axon.Inbox[[]byte]                  { return &h.In }
func (h *holder) StdControl() *axon.Inbox[axon.Signal]           { return &h.Control }
func (h *holder) StdOutbox() *axon.Outbox[[]byte]                { return &h.Out }
func (h *holder) StdSignal() *axon.Outbox[axon.Signal]           { return &h.Signal }
func (h *holder) StdMakeSSL() *axon.Outbox[*internet.TLSUpgrade] { return &h.Upgrade }
func (h *holder) StdSSLReady() *axon.Inbox[axon.None]            { return &h.Ready }

var _ chassis.TLSUpgrader = (*holder)(nil)

// RFC 3207 §5 (CVE-2011-0411): plain text that came after the command that
// asked for TLS never reaches the handler as if it came inside TLS. The
// client sends STARTTLS, then a plain line that waits in the handler's
// inbox when the handler asks for TLS: the adapter drops it, and the first
// bytes the handler gets after the handshake are the client's first ones
// over TLS. Run with KAMGEN_POLLER=portable for the portable Selector.
func TestSTARTTLSDropsPlainTextAfterTheRequest(t *testing.T) {
	cert, pool := testcert.New(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	asked := make(chan *holder, 1)
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return newHolder(cfg, asked)
	}, chassis.ServerOptions{})
	for range 20 {
		c := dial(t, srv)
		_, err := c.Write([]byte("STARTTLS\n"))
		require.NoError(t, err)
		h := receive(t, asked, "STARTTLS at the handler")
		_, err = c.Write([]byte("MAIL FROM:<injected>\n"))
		require.NoError(t, err)
		require.Eventually(t, func() bool { return h.In.Len() > 0 }, deadline, time.Millisecond,
			"the plain line waits in the handler's inbox")
		require.NoError(t, h.Go.Deliver(axon.None{}))
		assert.Equal(t, "GO\n", readString(t, c, 3))

		tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		require.NoError(t, tc.Handshake())
		_, err = tc.Write([]byte("secure\n"))
		require.NoError(t, err)
		require.Equal(t, "secure\n", readString(t, tc, len("secure\n")), "the first bytes echoed over TLS")
		require.NoError(t, tc.Close())
	}
}
