package testproto

import (
	"bytes"
	"crypto/tls"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// StartTLS speaks a line protocol with STARTTLS, as an SMTP server does: in
// plain text it echoes each line until "STARTTLS", which it answers "GO"
// before it switches the connection to TLS as its server; over TLS it
// echoes each line, and answers a second "STARTTLS" with "GO" and a second
// upgrade, which the adapter ignores. Its "makessl" outbox and "sslready"
// inbox make it a chassis.TLSUpgrader: kamgen generates StdMakeSSL and
// StdSSLReady.
type StartTLS struct {
	axon.Component
	// Served first: in a turn that has both, the end of the handshake is
	// seen before the first bytes read over TLS.
	Ready   axon.Inbox[axon.None]             `inbox:"sslready"` // the handshake is done
	In      axon.Inbox[[]byte]                `inbox:"inbox"`    // from the client
	Control axon.Inbox[axon.Signal]           `inbox:"control"`  // the connection ended
	Out     axon.Outbox[[]byte]               `outbox:"outbox"`  // to the client
	Signal  axon.Outbox[axon.Signal]          `outbox:"signal"`  // closes the connection
	Upgrade axon.Outbox[*internet.TLSUpgrade] `outbox:"makessl"` // switches the connection to TLS

	config      *tls.Config
	goInUpgrade bool
	upgraded    func(plain []byte)
	plain       []byte // every byte received before the handshake was done
	line        []byte // the line being received
	asked       bool   // STARTTLS came
	secure      bool   // the handshake is done
}

// NewStartTLS returns a StartTLS that upgrades with config. With
// goInUpgrade its "GO" goes in the upgrade (TLSUpgrade.Plain), otherwise on
// "outbox" just before it. upgraded, if not nil, is called when the
// handshake is done, with every byte received in plain text.
func NewStartTLS(config *tls.Config, goInUpgrade bool, upgraded func(plain []byte)) *StartTLS {
	return (&StartTLS{config: config, goInUpgrade: goInUpgrade, upgraded: upgraded}).initBoxes()
}

// OnReady notes that the connection speaks TLS.
func (s *StartTLS) OnReady(axon.None) {
	s.secure = true
	if s.upgraded != nil {
		s.upgraded(bytes.Clone(s.plain))
	}
}

// OnIn handles lines.
func (s *StartTLS) OnIn(b []byte) {
	if !s.secure {
		s.plain = append(s.plain, b...)
		if s.asked {
			return // pipelined before the handshake: the test sees it in plain
		}
	}
	s.line = append(s.line, b...)
	for {
		i := bytes.IndexByte(s.line, '\n')
		if i < 0 {
			return
		}
		line := s.line[:i+1]
		s.line = s.line[i+1:]
		if string(line) != "STARTTLS\n" {
			s.Out.Send(bytes.Clone(line))
			continue
		}
		s.asked = true
		up := &internet.TLSUpgrade{Config: s.config, Server: true}
		if s.goInUpgrade && !s.secure {
			up.Plain = []byte("GO\n")
		} else {
			s.Out.Send([]byte("GO\n"))
		}
		s.Upgrade.Send(up)
		if !s.secure {
			s.line = nil
			return
		}
	}
}

// OnControl closes the connection and ends.
func (s *StartTLS) OnControl(sig axon.Signal) { s.Signal.Send(sig); s.Stop() }
