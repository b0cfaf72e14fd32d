package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// maxLine bounds how much of a line Chatty keeps while it waits for the
// line's end: a client that never sends a newline cannot grow the server.
const maxLine = 4096

// Chatty answers each line it is sent with a sentence from a Markov chain
// that every connection shares: what one client types, the others may read
// back. It is Kamaelia's cookbook example 7.
//
// # How does it work?
//
// Bytes arrive on "inbox" in whatever pieces the network delivers them.
// Chatty cuts them into lines: a line split across two pieces counts once,
// two lines in one piece count twice. Each line is learnt by the chain, and
// the chain's reply goes out of "outbox", ending with a newline. A line
// longer than 4 KiB is cut there. On any signal on "control" (the
// connection closed, or a shutdown) Chatty forwards it and stops.
type Chatty struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // bytes from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // the connection closed, or a shutdown
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // one reply per line
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // the signal that stopped it
	Peer    string                   `kam:"peer"`      // the client's address, for the log

	chain   *Chain
	partial []byte // the start of a line whose end has not come yet
}

// NewChatty returns a Chatty that learns from and answers with chain.
func NewChatty(chain *Chain) *Chatty {
	c := &Chatty{chain: chain}
	return c.InitBoxes()
}

// OnIn learns every complete line and answers it.
func (c *Chatty) OnIn(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			room := maxLine - len(c.partial)
			if len(data) > room {
				data = data[:room]
			}
			c.partial = append(c.partial, data...)
			if len(c.partial) == maxLine {
				c.line(c.partial)
				c.partial = c.partial[:0]
			}
			return
		}
		line := data[:i]
		if len(c.partial) > 0 {
			line = append(c.partial, line...)
			c.partial = c.partial[:0]
		}
		c.line(bytes.TrimRight(line, "\r"))
		data = data[i+1:]
	}
}

func (c *Chatty) line(line []byte) {
	ctx := context.Background()
	if err := c.chain.Learn(ctx, string(line)); err != nil {
		c.Fail(fmt.Errorf("learning a line: %w", err))
		return
	}
	reply, err := c.chain.Sentence(ctx)
	if err != nil {
		c.Fail(fmt.Errorf("making a reply: %w", err))
		return
	}
	c.Out.Send([]byte(reply + "\n"))
}

// OnControl forwards the signal and stops.
func (c *Chatty) OnControl(sig axon.Signal) {
	c.Signal.Send(sig)
	c.Stop()
}
