package internet

import (
	"github.com/kamgen/kamgen/runtime/internal/loop"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// loopHost is the Selector's poll.Dispatcher: each epoll loop runs the
// turns of the adapters whose sockets it finds ready itself (a loop.Host),
// and the handler's turn and the write that follow run there too, as on a
// worker. So an event costs no hand-over from the loop to a worker and no
// wake-up of a parked worker thread, which on a busy server were most of
// the scheduling cost. A TCPServer's accepts run there too, and the
// ServerCore turn that makes the connection's handler: a new client does
// not wait for a worker, which in a mass close are busy with the closes.
// Other Watchers are told as usual.
type loopHost struct{ h loop.Host }

func newLoopHost() poll.Dispatcher { return loopHost{loop.NewHost()} }

func (l loopHost) Deliver(w poll.Watcher, ev poll.Events) {
	switch c := w.(type) {
	case *ConnectedSocketAdapter:
		if c.mark(ev) {
			l.h.Wake(c)
		}
		return
	case *TCPServer:
		c.ready.Or(uint32(ev))
		l.h.Wake(c)
		return
	}
	w.Ready(ev)
}

func (l loopHost) Flush() { l.h.Run() }
