// Package testproto holds protocol handlers for the network runtime's
// tests, written as users write them: annotated structs with generated
// wiring.
package testproto

//go:generate go tool kamgen

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// Echo sends back every byte it receives, and ends when its connection
// does (cookbook examples 1 and 3).
type Echo struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn echoes.
func (e *Echo) OnIn(b []byte) { e.Out.Send(b) }

// OnControl closes the connection and ends.
func (e *Echo) OnControl(sig axon.Signal) { e.Signal.Send(sig); e.Stop() }

// Bomb panics when it receives "boom", and echoes anything else.
type Bomb struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn panics on "boom".
func (b *Bomb) OnIn(m []byte) {
	if bytes.Contains(m, []byte("boom")) {
		panic("boom")
	}
	b.Out.Send(m)
}

// OnControl closes the connection and ends.
func (b *Bomb) OnControl(sig axon.Signal) { b.Signal.Send(sig); b.Stop() }

// Failer fails with an error when it receives "fail", and echoes
// anything else.
type Failer struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
}

// OnIn fails on "fail".
func (f *Failer) OnIn(m []byte) {
	if bytes.Contains(m, []byte("fail")) {
		f.Fail(errors.New("told to fail"))
		return
	}
	f.Out.Send(m)
}

// OnControl closes the connection and ends.
func (f *Failer) OnControl(sig axon.Signal) { f.Signal.Send(sig); f.Stop() }

// Deaf echoes but ignores its control inbox: it would run forever after its
// connection closed, if the server let it (Kamaelia's L4: it never stopped such a handler).
type Deaf struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // ignored
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // never used
}

// OnIn echoes.
func (d *Deaf) OnIn(m []byte) { d.Out.Send(m) }

// OnControl ignores the signal.
func (d *Deaf) OnControl(axon.Signal) {}

// Closer sends its greeting, then closes the connection (the message of
// the day, cookbook example 2); with StopServer it also stops the server
// (example 6).
type Closer struct {
	axon.Component
	In         axon.Inbox[[]byte]       `inbox:"inbox,nohandler"` // not read
	Control    axon.Inbox[axon.Signal]  `inbox:"control"`         // the connection ended
	Out        axon.Outbox[[]byte]      `outbox:"outbox"`         // the greeting
	Signal     axon.Outbox[axon.Signal] `outbox:"signal"`         // closes the connection
	ServerSigs axon.Outbox[axon.Signal] `outbox:"serversignal"`   // stops the server
	Greeting   []byte
	StopServer bool
}

// NewCloser returns a Closer with its greeting.
func NewCloser(greeting string, stopServer bool) *Closer {
	return (&Closer{Greeting: []byte(greeting), StopServer: stopServer}).initBoxes()
}

// OnStart greets and closes.
func (c *Closer) OnStart() {
	c.Out.Send(c.Greeting)
	if c.StopServer {
		c.ServerSigs.Send(&internet.ServerShutdown{})
	}
	c.Signal.Send(&axon.ProducerFinished{Caller: c})
}

// OnControl ends.
func (c *Closer) OnControl(axon.Signal) { c.Stop() }

// Welcome greets with the connection's addresses, then echoes:
// ServerCore's CleverEchoProtocol.
type Welcome struct {
	axon.Component
	In        axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control   axon.Inbox[axon.Signal]  `inbox:"control"` // the connection ended
	Out       axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal    axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
	Peer      string                   `kam:"peer"`
	PeerPort  int                      `kam:"peerport"`
	LocalIP   string                   `kam:"localip"`
	LocalPort int                      `kam:"localport"`
}

// OnStart sends the welcome.
func (w *Welcome) OnStart() {
	w.Out.Send([]byte("Welcome! You have connected to " + w.LocalIP + " on port " + strconv.Itoa(w.LocalPort) +
		" from " + w.Peer + " on port " + strconv.Itoa(w.PeerPort) + "\n"))
}

// OnIn echoes.
func (w *Welcome) OnIn(m []byte) { w.Out.Send(m) }

// OnControl closes the connection and ends.
func (w *Welcome) OnControl(sig axon.Signal) { w.Signal.Send(sig); w.Stop() }

// Recorder hands every control signal to a function and echoes data; it
// closes its connection when told the client closed.
type Recorder struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // recorded
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // to the client
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // closes the connection
	record  func(axon.Signal)
}

// NewRecorder returns a Recorder calling record.
func NewRecorder(record func(axon.Signal)) *Recorder {
	return (&Recorder{record: record}).initBoxes()
}

// OnIn echoes.
func (r *Recorder) OnIn(m []byte) { r.Out.Send(m) }

// OnControl records, then closes and ends.
func (r *Recorder) OnControl(sig axon.Signal) {
	r.record(sig)
	r.Signal.Send(sig)
	r.Stop()
}
