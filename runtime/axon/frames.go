package axon

import (
	"fmt"

	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// frameState is what a framed inbox keeps: its framer, and the part of the
// piece being cut that its handler has not been given yet.
type frameState struct {
	f    loop.Framer
	rest []byte
}

// Package framing attaches its framers to inboxes through loop.
func init() {
	loop.SetFramer = func(in any, f loop.Framer) { in.(*Inbox[[]byte]).extra().frames = &frameState{f: f} }
	loop.FramerOf = func(in any) loop.Framer {
		if x := in.(*Inbox[[]byte]).cold.Load(); x != nil && x.frames != nil {
			return x.frames.f
		}
		return nil
	}
}

// ServeFrames is Serve for a framed inbox (framing.Attach, or the tag
// option lines=N): h is given each
// whole frame, in order, however the stream was cut into pieces. A frame
// is valid only while h runs: it may point into the piece the network
// delivered, or into the framer's buffer; copy what you keep. A bad frame
// (too long, a bad length header) fails the component with an error that
// names the inbox: the connection closes, with a log line.
//
// When a turn must stop in the middle of a piece (a send waits for room,
// the component is busy with Go work or stopping, the turn's budget is
// spent), the rest of the piece is kept and served first in the next turn,
// and a ServeLast inbox after it (control) waits for it.
func ServeFrames(t *Turn, in *Inbox[[]byte], h func(frame []byte)) {
	serveFrames(t, in, h, nil)
}

// ServeFramesErr is ServeFrames for a handler that is told about bad
// frames itself: it is called with a nil frame and the framer's error
// (framing.ErrTooLong, say), so that it can answer ("500 Line too long")
// and go on, or close.
func ServeFramesErr(t *Turn, in *Inbox[[]byte], h func(frame []byte, err error)) {
	serveFrames(t, in, nil, h)
}

func serveFrames(t *Turn, in *Inbox[[]byte], h func([]byte), he func([]byte, error)) {
	t.served = append(t.served, &in.box)
	x := in.cold.Load()
	if x == nil || x.frames == nil {
		t.c.Fail(fmt.Errorf("axon: %s is served as framed but has no framer: call framing.Attach (or tag it lines=N) before activation", in.fullName()))
		t.stop = true
		return
	}
	fs := x.frames
	if t.stop || in.isPaused() {
		if len(fs.rest) > 0 || in.Len() > 0 {
			t.held = true
		}
		return
	}
	c := t.c
	budget := turnBudget
	for {
		if len(fs.rest) == 0 {
			if budget == 0 {
				if in.Len() > 0 {
					t.more, t.held = true, true
				}
				return
			}
			m, ok := in.tryTake()
			if !ok {
				return
			}
			budget--
			fs.rest = m
			continue
		}
		frame, n, err := fs.f.Cut(fs.rest)
		if n < 0 || n > len(fs.rest) || (n == 0 && frame == nil) {
			// A framer that uses nothing and gives no frame would loop: a
			// sticky error (an unreadable header) is reported once per
			// piece, and the piece dropped.
			n = len(fs.rest)
		}
		fs.rest = fs.rest[n:]
		switch {
		case err != nil:
			if he == nil {
				c.Fail(fmt.Errorf("axon: bad frame in %s: %w", in.fullName(), err))
				t.stop = true
				return
			}
			he(nil, err)
		case frame == nil:
			continue // the frame goes on in the next piece
		case he != nil:
			he(frame, nil)
		default:
			h(frame)
		}
		if len(c.pending) > 0 || c.flags.Load()&(flagStopReq|flagBusy) != 0 || in.isPaused() {
			t.stop = t.stop || !in.isPaused()
			if len(fs.rest) > 0 || in.Len() > 0 {
				t.held = true
			}
			return
		}
	}
}
