package main

import (
	"bytes"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Munch answers each chunk its client sends with "munch" followed by the
// chunk, until a chunk contains "shutdown": then it closes the connection.
// It ends too when the client goes. The cookbook's example 5: a protocol
// the client can ask to break the connection.
type Munch struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // chunks from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the client went
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // "munch" and the chunk
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn munches a chunk, or closes the connection on "shutdown". A chunk is
// what the network delivered at once: a "shutdown" split across two chunks
// is not seen, as in the seed.
func (m *Munch) OnIn(chunk []byte) {
	if bytes.Contains(chunk, []byte("shutdown")) {
		m.Signal.Send(&axon.ShutdownMicroprocess{})
		m.Stop()
		return
	}
	m.Out.Send(append([]byte("munch"), chunk...))
}

// OnControl ends: the client closed the connection.
func (m *Munch) OnControl(sig axon.Signal) {
	m.Signal.Send(sig)
	m.Stop()
}
