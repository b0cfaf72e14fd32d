package err_optional

import (
	"crypto/tls"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// WrongTypes has each optional box at the handler's end with another
// message type.
type WrongTypes struct {
	axon.Component
	Ready   axon.Inbox[bool]         `inbox:"sslready"`
	Stop    axon.Outbox[string]      `outbox:"serversignal"`
	Upgrade axon.Outbox[*tls.Config] `outbox:"makessl"`
}

func (w *WrongTypes) OnReady(bool) {}

// LoneMakeSSL can ask for TLS but would never hear that it is on.
type LoneMakeSSL struct {
	axon.Component
	Upgrade axon.Outbox[*internet.TLSUpgrade] `outbox:"makessl"`
}

// LoneSSLReady waits for a handshake it cannot ask for.
type LoneSSLReady struct {
	axon.Component
	Ready axon.Inbox[axon.None] `inbox:"sslready"`
}

func (l *LoneSSLReady) OnReady(axon.None) {}

// Handler serves connections, with its serversignal the wrong way round.
type Handler struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	Server  axon.Inbox[axon.Signal]  `inbox:"serversignal"`
}

func (h *Handler) OnIn([]byte)           {}
func (h *Handler) OnControl(axon.Signal) {}
func (h *Handler) OnServer(axon.Signal)  {}

// ByHand declares the accessors kamgen generates.
type ByHand struct {
	axon.Component
	Ready   axon.Inbox[axon.None]             `inbox:"sslready"`
	Upgrade axon.Outbox[*internet.TLSUpgrade] `outbox:"makessl"`
}

func (b *ByHand) OnReady(axon.None)                              {}
func (b *ByHand) StdMakeSSL() *axon.Outbox[*internet.TLSUpgrade] { return &b.Upgrade }
func (b *ByHand) StdSSLReady() *axon.Inbox[axon.None]            { return &b.Ready }
