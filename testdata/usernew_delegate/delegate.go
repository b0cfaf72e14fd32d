package usernew_delegate

import "github.com/kamgen/kamgen/runtime/axon"

// Conn is built by a helper that sets its boxes up.
type Conn struct {
	axon.Component
	Out  axon.Outbox[[]byte] `outbox:"outbox"`
	name string
}

// NewConn delegates to newConn, which calls initBoxes.
func NewConn(name string) (*Conn, error) { return newConn(name), nil }

func newConn(name string) *Conn { return (&Conn{name: name}).initBoxes() }

// NewLazy does not set its boxes up.
type Lazy struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"outbox"`
}
