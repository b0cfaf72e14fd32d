package framing

import (
	"encoding/binary"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Prefixer writes each message it receives after a length header, so that
// the stream of them can be cut back into the same messages (by a Splitter
// of the matching Prefixed mode, or any reader of the format). It is
// Kamaelia's DataChunker, with a binary header in place of a sync marker.
//
// Example: send records over a connection, and read them back on the other
// side:
//
//	sender := chassis.Pipeline2(framing.NewPrefixer(framing.U32), client)
//	reader := chassis.Pipeline2(server, framing.NewSplitter(framing.Prefixed(framing.U32, 1<<20)))
//
// # How does it work?
//
// Each message on "inbox" is sent on "outbox" as one new []byte: the
// header (see Header) announcing its length, then the message. A message
// longer than the header can announce (255 bytes for U8, 65535 for U16,
// 4 GiB - 1 for U32) stops the Prefixer: it sends a ProducerFinished whose
// Message is an error wrapping ErrTooLong on "signal" and fails with it.
// It handles every message already in "inbox" first, then stops on any
// signal on "control", forwarding that signal on "signal".
//
// It is reactive and holds no goroutine while idle.
type Prefixer struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // messages to frame
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops it, once the inbox is drained
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // each message after its length header
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // the signal that stopped it, or a ProducerFinished carrying the error of a message too long

	header Header
}

var _ axon.Stage[[]byte, []byte] = (*Prefixer)(nil)

// NewPrefixer returns a Prefixer that writes headers of kind h. It panics
// when h is not one of U8, U16, U32 and Uvarint.
func NewPrefixer(h Header) *Prefixer {
	if h.size() == 0 {
		panic(fmt.Sprintf("framing: NewPrefixer with an unknown header %d: use U8, U16, U32 or Uvarint", h))
	}
	return (&Prefixer{header: h}).initBoxes()
}

// onIn sends msg after its header.
func (p *Prefixer) onIn(msg []byte) {
	if p.Stopping() {
		return // failed on an earlier message
	}
	if uint64(len(msg)) > p.header.maxLen() {
		err := fmt.Errorf("framing: Prefixer: a message of %d bytes is longer than a %s header can announce (%d): %w",
			len(msg), p.header.describe(), p.header.maxLen(), ErrTooLong)
		p.Signal.Send(&axon.ProducerFinished{Caller: p, Message: err})
		p.Fail(err)
		return
	}
	out := make([]byte, 0, binary.MaxVarintLen64+len(msg))
	out = p.header.append(out, uint64(len(msg)))
	p.Out.Send(append(out, msg...))
}

// onControl forwards sig and stops: the inbox was drained first.
func (p *Prefixer) onControl(sig axon.Signal) {
	if p.Stopping() {
		return
	}
	p.Signal.Send(sig)
	p.Stop()
}
