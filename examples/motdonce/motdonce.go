package main

import (
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// Message is the message of the day, as the cookbook's example 6 spells
// it: two lines, the second without a newline.
const Message = "Hello, this is the message of the day\nBye Bye!"

// MOTDOnce sends the message of the day to its client, closes the
// connection and stops the whole server: the cookbook's example 6. Its
// "serversignal" outbox makes it a chassis.ServerSignaller: ServerCore links
// it, and an internet.ServerShutdown sent there stops the server.
type MOTDOnce struct {
	axon.Component
	In           axon.Inbox[[]byte]       `inbox:"inbox,nohandler"`   // not read
	Control      axon.Inbox[axon.Signal]  `inbox:"control,nohandler"` // not read: MOTDOnce has finished before anything arrives
	Out          axon.Outbox[[]byte]      `outbox:"outbox"`           // the message
	Signal       axon.Outbox[axon.Signal] `outbox:"signal"`           // closes the connection
	ServerSignal axon.Outbox[axon.Signal] `outbox:"serversignal"`     // stops the server
}

// OnStart sends the message, asks the server to stop and the connection to
// close once the message has been written, and ends. The server stops
// accepting at once, and finishes when this connection has closed.
func (m *MOTDOnce) OnStart() {
	m.Out.Send([]byte(Message))
	m.ServerSignal.Send(&internet.ServerShutdown{})
	m.Signal.Send(&axon.ShutdownMicroprocess{})
	m.Stop()
}
