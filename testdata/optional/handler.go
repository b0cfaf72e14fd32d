package optional

import (
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// Mail is a protocol handler with every optional standard box at its end
// of the link: kamgen generates StdServerSignal, StdMakeSSL and
// StdSSLReady, which make it a chassis.ServerSignaller and a
// chassis.TLSUpgrader.
type Mail struct {
	axon.Component
	Ready   axon.Inbox[axon.None]             `inbox:"sslready"` // the handshake is done
	In      axon.Inbox[[]byte]                `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]           `inbox:"control"`
	Out     axon.Outbox[[]byte]               `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal]          `outbox:"signal"`
	Shut    axon.Outbox[axon.Signal]          `outbox:"serversignal"` // stops the server
	Upgrade axon.Outbox[*internet.TLSUpgrade] `outbox:"makessl"`      // switches to TLS
}

func (m *Mail) OnReady(axon.None)     {}
func (m *Mail) OnIn([]byte)           {}
func (m *Mail) OnControl(axon.Signal) {}

// Client is the other end of those links, as the runtime's TCPClient and
// ServerCore are: a makessl inbox, an sslready outbox and a serversignal
// inbox carry what they like, and get no accessor.
type Client struct {
	axon.Component
	MakeSSL  axon.Inbox[string]      `inbox:"makessl"`
	Servers  axon.Inbox[axon.Signal] `inbox:"serversignal"`
	SSLReady axon.Outbox[struct{}]   `outbox:"sslready"`
}

func (c *Client) OnMakeSSL(string)      {}
func (c *Client) OnServers(axon.Signal) {}
