package framing

import (
	"bytes"
	"fmt"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Splitter cuts the byte stream it receives, in pieces of any size, into
// frames, and sends each frame on as a message of its own. It is the first
// stage of a pipeline that works on lines or records rather than on what
// the network delivered. With a Prefixed mode it is Kamaelia's
// DataDeChunker, undoing what a Prefixer did; with Lines or Delimited it
// does the work of Kamaelia's Chunkifier and line splitters.
//
// Example: print the lines a client sends, one per message, whatever the
// pieces it arrives in:
//
//	p := chassis.Pipeline3(client, framing.NewSplitter(framing.Lines(4096)), printer)
//
// # How does it work?
//
// Each piece on "inbox" is cut with a Framer of the Splitter's mode (see
// New); each whole frame is copied and the copy sent on "outbox", so the
// receiver owns it. A frame that spans pieces is sent when its last piece
// arrives.
//
// Nothing is dropped silently: a bad frame (too long, an unreadable
// header) stops the Splitter, which sends a ProducerFinished whose Message
// is the error on "signal" and fails with it, so the pipeline stops. A
// producerFinished on "control" is handled after every piece already in
// "inbox": when the stream ended in the middle of a frame, the Splitter
// fails the same way with End's error (wrapping io.ErrUnexpectedEOF);
// otherwise it forwards the signal on "signal" and stops. Any other signal
// (shutdownMicroprocess) is forwarded and stops it at once, and a partial
// frame is forgotten.
//
// It is reactive and holds no goroutine while idle.
type Splitter struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`   // pieces of the stream, in order
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // producerFinished: the stream has ended; shutdownMicroprocess: stop
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // one whole frame per message, a copy the receiver owns
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // the signal that stopped it, or a ProducerFinished carrying a bad frame's error

	framer *Framer
}

var _ axon.Stage[[]byte, []byte] = (*Splitter)(nil)

// NewSplitter returns a Splitter that cuts every frame by m. It panics on
// the zero Mode.
func NewSplitter(m Mode) *Splitter {
	return (&Splitter{framer: New(m)}).initBoxes()
}

// onIn cuts piece and sends a copy of each frame it completes.
func (s *Splitter) onIn(piece []byte) {
	if s.Stopping() {
		return // failed on an earlier piece
	}
	for {
		frame, n, err := s.framer.Cut(piece)
		piece = piece[n:]
		switch {
		case err != nil:
			s.fail(fmt.Errorf("framing: Splitter: %w", err))
			return
		case frame == nil:
			return
		}
		s.Out.Send(bytes.Clone(frame))
	}
}

// onControl ends the stream on a producerFinished, and stops on any signal.
func (s *Splitter) onControl(sig axon.Signal) {
	if s.Stopping() {
		return
	}
	if _, ok := sig.(*axon.ProducerFinished); ok {
		if err := s.framer.End(); err != nil {
			s.fail(fmt.Errorf("framing: Splitter: %w", err))
			return
		}
	}
	s.Signal.Send(sig)
	s.Stop()
}

// fail stops the Splitter with err, telling downstream with a
// ProducerFinished that carries it.
func (s *Splitter) fail(err error) {
	s.Signal.Send(&axon.ProducerFinished{Caller: s, Message: err})
	s.Fail(err)
}
