package framing

import (
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// Attach makes in a framed inbox cut by m and returns its Framer: the
// component's dispatch (axon.ServeFrames) then hands its handler one whole
// frame at a time. kamgen's generated constructor calls it for an inbox
// tagged lines=N; call it yourself, before the component is activated, for
// another mode.
func Attach(in *axon.Inbox[[]byte], m Mode) *Framer {
	f := New(m)
	loop.SetFramer(in, f)
	return f
}

// Of returns the Framer of a framed inbox, or nil: a handler switches modes
// with it, from its own turn, for the frames after the one it is given
// (framing.Of(&c.In).Then(framing.Exact(n)) before a body of n bytes).
func Of(in *axon.Inbox[[]byte]) *Framer {
	f, _ := loop.FramerOf(in).(*Framer)
	return f
}
