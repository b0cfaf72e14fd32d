package main

import "github.com/kamgen/kamgen/runtime/axon"

// Message is the message of the day, as the cookbook's example 2 spells it.
const Message = "Hello, this is the message of the day\n\nBye Bye!\n"

// MOTD sends the message of the day to its client and closes the
// connection: the cookbook's example 2. It never reads what the client
// sends.
type MOTD struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,nohandler"`   // not read
	Control axon.Inbox[axon.Signal]  `inbox:"control,nohandler"` // not read: MOTD has finished before anything arrives
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`           // the message
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`           // closes the connection
}

// OnStart sends the message, asks for the connection to be closed once it
// has been written, and ends.
func (m *MOTD) OnStart() {
	m.Out.Send([]byte(Message))
	m.Signal.Send(&axon.ShutdownMicroprocess{})
	m.Stop()
}
