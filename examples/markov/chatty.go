package main

import (
	"context"

	"github.com/kamgen/kamgen/runtime/axon"
)

// maxLine is the longest line Chatty takes: a client that never sends a
// newline cannot grow the server.
const maxLine = 4096

// tooLong is Chatty's answer to a line over maxLine, which it does not learn.
const tooLong = "that line is too long: at most 4096 bytes, please\n"

// Chatty answers each line it is sent with a sentence from a Markov chain
// that every connection shares: what one client types, the others may read
// back. It is Kamaelia's cookbook example 7.
//
// # How does it work?
//
// The inbox is line-framed (lines=maxLine): Chatty is handed one whole line
// at a time, wherever the network cut the bytes. The chain's store may be
// far away (Redis), so each line goes to it off the runtime's workers
// (axon.Go), and the reply comes back in a later turn. While a line is with
// the store, Chatty takes no input: lines wait in its inbox, the inbox
// fills, and a client that types faster than the chain answers is slowed
// down rather than buffered. Replies come in the order of the lines.
//
// A signal on "control" is handled after every line that came before it
// has been answered: Chatty forwards it (the connection closes after the
// replies) and stops. Stopping Chatty otherwise (its server's Shutdown
// ending) abandons a question in flight.
type Chatty struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,lines=maxLine"` // lines from the client
	Control axon.Inbox[axon.Signal]  `inbox:"control"`             // the connection closed, or a shutdown
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`             // one reply per line
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`             // the signal that stopped it

	chain *Chain
}

// NewChatty returns a Chatty that learns from and answers with chain.
func NewChatty(chain *Chain) *Chatty {
	return (&Chatty{chain: chain}).initBoxes()
}

// onIn asks the chain to learn and answer line, off the workers.
func (c *Chatty) onIn(line []byte, err error) {
	if err != nil { // over maxLine: framing.ErrTooLong
		c.Out.Send([]byte(tooLong))
		return
	}
	text := string(line) // line is valid only during this call
	axon.Go(c, func(ctx context.Context) ([]byte, error) { return c.chain.Reply(ctx, text) }, c.reply)
}

// reply sends the chain's answer to the client.
func (c *Chatty) reply(answer []byte, err error) {
	if err != nil {
		c.Fail(err) // the store is unreachable: the connection closes, logged
		return
	}
	c.Out.Send(answer)
}
