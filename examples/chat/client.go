package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// maxLine is the longest line a client may send.
const maxLine = 4096

// Client is one connection to the chat: what it types goes to everyone
// else in the room, after its nick; what the others type comes to it. The
// room's nicks may be in Redis: Client asks for them off the workers
// (axon.Go), and takes no input until they answer.
type Client struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,lines=maxLine"` // lines the client types
	Heard   axon.Inbox[[]byte]       `inbox:"heard"`               // what the others say in the room
	Control axon.Inbox[axon.Signal]  `inbox:"control"`             // the connection closed
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`             // to the client
	Say     axon.Outbox[[]byte]      `outbox:"say"`                // to the room
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`             // closes the connection

	room *Room
	nick string
}

func (c *Client) onStart() { axon.Go(c, c.room.Names.Guest, c.named) }

func (c *Client) onIn(line []byte, err error) {
	cmd, arg, _ := bytes.Cut(line, []byte(" "))
	switch {
	case err != nil:
		c.tell("* that line is too long: at most %d bytes\n", maxLine)
	case string(cmd) == "/nick":
		name := string(arg)
		axon.Go(c, func(ctx context.Context) (string, error) { return name, c.room.Names.Rename(ctx, c.nick, name) }, c.named)
	case string(cmd) == "/who":
		axon.Go(c, c.room.Names.List, func(nicks string, err error) { c.tell("* %s\n", orErr("here: "+nicks, err)) })
	case string(cmd) == "/quit":
		c.tell("* bye\n")
		c.Stop() // the connection closes once the bye is written
	default:
		c.say("<%s> %s\n", c.nick, line)
	}
}

// named takes the nick the room gave: the first one, or a new one.
func (c *Client) named(nick string, err error) {
	switch {
	case err != nil && c.nick == "":
		c.Fail(err) // no nick to be had: the connection closes, logged
	case err != nil:
		c.tell("* %v\n", err)
	case c.nick == "":
		c.tell("* welcome, %s: /nick NAME, /who, /quit\n", nick)
		c.say("* %s joined\n", nick)
	default:
		c.say("* %s is now %s\n", c.nick, nick)
	}
	if err == nil {
		c.nick = nick
	}
}

func (c *Client) onHeard(line []byte) { c.Out.Send(line) }

func (c *Client) onStop() {
	if c.nick != "" {
		c.room.Leave(c.nick)
	}
}

func (c *Client) tell(format string, args ...any) { c.Out.Send(fmt.Appendf(nil, format, args...)) }

func (c *Client) say(format string, args ...any) { c.Say.Send(fmt.Appendf(nil, format, args...)) }

// orErr is s, or err's text if there is one.
func orErr(s string, err error) string {
	if err != nil {
		return err.Error()
	}
	return s
}
