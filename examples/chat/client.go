package main

import (
	"bytes"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// maxLine is the longest line a client may send.
const maxLine = 4096

// Client is one connection to the chat: what it types goes to everyone
// else in the room, after its nick; what the others type comes to it.
type Client struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,lines=maxLine"` // lines the client types
	Heard   axon.Inbox[Said]         `inbox:"heard"`               // what is said in the room
	Control axon.Inbox[axon.Signal]  `inbox:"control"`             // the connection closed
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`             // to the client
	Say     axon.Outbox[Said]        `outbox:"say"`                // to the room
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`             // closes the connection

	room *Room
	nick string
}

func (c *Client) onStart() {
	c.nick = c.room.Names.Guest()
	c.tell("* welcome, %s: /nick NAME, /who, /quit\n", c.nick)
	c.say("* %s joined\n", c.nick)
}

func (c *Client) onIn(line []byte, err error) {
	cmd, arg, _ := bytes.Cut(line, []byte(" "))
	switch {
	case err != nil:
		c.tell("* that line is too long: at most %d bytes\n", maxLine)
	case string(cmd) == "/nick":
		if err := c.room.Names.Rename(c.nick, string(arg)); err != nil {
			c.tell("* %v\n", err)
			return
		}
		c.say("* %s is now %s\n", c.nick, arg)
		c.nick = string(arg)
	case string(cmd) == "/who":
		c.tell("* here: %s\n", c.room.Names.List())
	case string(cmd) == "/quit":
		c.tell("* bye\n")
		c.Signal.Send(&axon.ProducerFinished{Caller: c})
		c.Stop()
	default:
		c.say("<%s> %s\n", c.nick, line)
	}
}

func (c *Client) onHeard(s Said) {
	if s.From != c.ID() {
		c.Out.Send(s.Line)
	}
}

func (c *Client) onControl(sig axon.Signal) {
	c.Signal.Send(sig)
	c.Stop()
}

func (c *Client) onStop() {
	c.say("* %s left\n", c.nick)
	c.room.Names.Release(c.nick)
}

func (c *Client) tell(format string, args ...any) { c.Out.Send(fmt.Appendf(nil, format, args...)) }

func (c *Client) say(format string, args ...any) {
	c.Say.Send(Said{From: c.ID(), Line: fmt.Appendf(nil, format, args...)})
}
