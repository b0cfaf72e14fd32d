package main

import (
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// CleverEcho greets its client with the addresses of both ends of the
// connection, then echoes every byte back: the CleverEchoProtocol of
// Kamaelia's ServerCore documentation. The kam tags ask ServerCore's
// factory to fill the four address fields.
type CleverEcho struct {
	axon.Component
	In        axon.Inbox[[]byte]       `inbox:"inbox"`   // bytes from the client
	Control   axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out       axon.Outbox[[]byte]      `outbox:"outbox"` // the welcome, then the same bytes back
	Signal    axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
	Peer      string                   `kam:"peer"`      // the client's address
	PeerPort  int                      `kam:"peerport"`  // the client's port
	LocalIP   string                   `kam:"localip"`   // the server's address for this connection
	LocalPort int                      `kam:"localport"` // the server's port
}

// OnStart sends the welcome.
func (c *CleverEcho) OnStart() {
	c.Out.Send(fmt.Appendf(nil, "Welcome! You have connected to %s on port %d from %s on port %d\n",
		c.LocalIP, c.LocalPort, c.Peer, c.PeerPort))
}

// OnIn echoes.
func (c *CleverEcho) OnIn(b []byte) { c.Out.Send(b) }

// OnControl closes the connection, after every echo was written, and ends.
func (c *CleverEcho) OnControl(sig axon.Signal) {
	c.Signal.Send(sig)
	c.Stop()
}
