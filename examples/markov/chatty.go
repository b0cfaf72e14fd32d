package main

import (
	"bytes"
	"sync"

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
// the chain's reply goes out of "outbox", ending with a newline; replies
// come in the order of the lines. A line longer than 4 KiB is cut there,
// and the rest of it, up to its newline, is dropped.
//
// The chain's store may be far away (Redis): asking it takes network round
// trips, which must not hold up one of the runtime's workers. So Chatty
// asks it from a goroutine of its own, one line at a time, and takes the
// answer in a later turn, when the goroutine wakes it (Notify). That is why
// "inbox" has no handler: Chatty takes a piece from it (TryRecv, in
// OnTurnEnd) only when it has no line in hand, so bytes wait in the inbox
// while the chain works, the inbox fills, and a client that types faster
// than the chain answers is slowed down (backpressure) instead of growing
// the server.
//
// A shutdownMicroprocess on "control" stops Chatty at once. Any other
// signal (the client closed its side, or a producerFinished at the end of
// the console's input) lets it answer the lines that came before the
// signal first; then it forwards the signal and stops.
type Chatty struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,nohandler"` // bytes from the client, taken a line at a time by OnTurnEnd
	Control axon.Inbox[axon.Signal]  `inbox:"control"`         // the connection closed, or a shutdown
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`         // one reply per line
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`         // the signal that stopped it
	Peer    string                   `kam:"peer"`              // the client's address, for the log

	chain   *Chain
	chunk   []byte // taken from "inbox", not yet cut into lines
	partial []byte // the start of a line whose end has not come yet
	skip    bool   // dropping the rest of a line longer than maxLine
	stopSig axon.Signal

	asking  bool        // a line is with the chain
	answers chan answer // the chain's answer, from the asking goroutine
	asked   sync.WaitGroup
}

// answer is what the chain said to one line.
type answer struct {
	reply []byte
	err   error
}

// NewChatty returns a Chatty that learns from and answers with chain.
func NewChatty(chain *Chain) *Chatty {
	c := &Chatty{chain: chain, answers: make(chan answer, 1)}
	return c.InitBoxes()
}

// OnTurnEnd sends the chain's answer when it has come, then hands the chain
// the next complete line, if there is one; it stops Chatty when a signal
// came and every line before it has been answered.
func (c *Chatty) OnTurnEnd() {
	if c.asking {
		select {
		case a := <-c.answers:
			c.asking = false
			if a.err != nil {
				c.Fail(a.err)
				return
			}
			c.Out.Send(a.reply)
			if c.Out.Pending() > 0 {
				return // the client reads slowly: go on once the reply has gone
			}
		default:
			return // woken by a piece or a signal: the answer is on its way
		}
	}
	if line, ok := c.nextLine(); ok {
		c.ask(line)
		return
	}
	if c.stopSig != nil {
		c.Signal.Send(c.stopSig)
		c.Stop()
	}
}

// nextLine cuts the next complete line out of what has arrived, taking
// pieces from "inbox" as it needs them. It reports false when no complete
// line has arrived (yet).
func (c *Chatty) nextLine() (string, bool) {
	for {
		if len(c.chunk) == 0 {
			m, ok := c.In.TryRecv()
			if !ok {
				return "", false
			}
			c.chunk = m
			continue
		}
		piece, rest, found := bytes.Cut(c.chunk, []byte("\n"))
		c.chunk = rest
		if c.skip { // the tail of a line that was too long
			c.skip = !found
			continue
		}
		if room := maxLine - len(c.partial); len(piece) > room {
			piece = piece[:room]
		}
		c.partial = append(c.partial, piece...)
		switch {
		case found:
		case len(c.partial) == maxLine:
			c.skip = true // cut here; drop the rest, up to the newline
		default:
			continue // the line goes on in the next piece
		}
		line := string(bytes.TrimRight(c.partial, "\r"))
		c.partial = c.partial[:0]
		return line, true
	}
}

// ask hands line to the chain, in a goroutine that wakes Chatty when the
// answer is there. The goroutine's context ends when Chatty is stopped.
func (c *Chatty) ask(line string) {
	c.asking = true
	ctx := c.Context()
	c.asked.Add(1)
	go func() {
		defer c.asked.Done()
		reply, err := c.chain.Reply(ctx, line)
		c.answers <- answer{reply, err} // room for one: never blocks
		c.Notify()
	}()
}

// OnControl stops Chatty at once on a shutdownMicroprocess; on any other
// signal it notes it, and OnTurnEnd stops Chatty when the lines that came
// before it have been answered.
func (c *Chatty) OnControl(sig axon.Signal) {
	if sig != nil && sig.StopNow() {
		c.Signal.Send(sig)
		c.Stop()
		return
	}
	if c.stopSig == nil {
		c.stopSig = sig
	}
}

// OnStop waits for a question in flight: its context has ended, so the
// store gives up at once.
func (c *Chatty) OnStop() { c.asked.Wait() }
