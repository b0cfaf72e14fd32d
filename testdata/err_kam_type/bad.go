package err_kam_type

import (
	"net"

	"github.com/kamgen/kamgen/runtime/axon"
)

type C struct {
	axon.Component
	In        axon.Inbox[[]byte] `inbox:"inbox"`
	Peer      []byte             `kam:"peer"`
	PeerPort  string             `kam:"peerport"`
	LocalIP   net.IP             `kam:"localip"`
	LocalPort int64              `kam:"localport"`
}

func (c *C) OnIn([]byte) {}

type Port int

// D uses a named int: not an int.
type D struct {
	axon.Component
	Port Port `kam:"peerport"`
}
