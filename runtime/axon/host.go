package axon

import (
	"fmt"

	"github.com/kamgen/kamgen/runtime/internal/loop"
)

func init() {
	loop.NewHost = func() loop.Host {
		h := &host{}
		h.w.host = h
		return h
	}
	loop.StartHere = func(parent any, children ...any) error {
		p, ok := parent.(Part)
		if !ok || p.Base() == nil {
			return fmt.Errorf("axon: StartHere: %T is not a component", parent)
		}
		parts := make([]Part, len(children))
		for i, k := range children {
			if parts[i], ok = k.(Part); !ok {
				return fmt.Errorf("axon: StartHere: %T is not a component", k)
			}
		}
		c := p.Base()
		return c.start(c.on.Load(), parts) // c's turn runs on the calling goroutine
	}
}

// A host runs turns on a goroutine of its own that is not a worker: a
// network poller's event loop, which runs the turns of the components its
// events wake where it found them, with no hand-over to a worker (a
// wake-up and a trip through the run queue for each event). What those
// turns wake runs there too, as on a worker. Components of any runtime may
// be woken through one Host.
//
// A host is used by one goroutine at a time. It is the loop.Host of the
// network components.
type host struct {
	w     worker
	t     Turn
	woken []*Component
	again []*Component // woken while their turns ran here: one more turn each, after the others
	rerun bool         // Run is giving those their turns
}

// Wake wakes p, as Notify does, to run in the next Run. A threaded
// component is woken as Notify wakes it.
func (h *host) Wake(p any) {
	c := p.(Part).Base()
	if c.th != nil {
		c.wake()
		return
	}
	if c.toQueue() {
		h.woken = append(h.woken, c)
	}
}

// Run runs a turn of each component woken since the last Run, on the
// calling goroutine, each followed by the turns it wakes (a message and
// its reply), up to a bound; what is left goes to the components'
// runtimes, for their workers. A component woken while its turn ran here
// has one more turn here, after the others: the wake may be its socket's,
// seen by another loop meanwhile, and what that brought must not wait
// for a worker. Woken again in that turn, it goes to its runtime.
func (h *host) Run() {
	h.runWoken()
	if len(h.again) > 0 {
		h.woken, h.again = h.again, h.woken
		h.rerun = true
		h.runWoken()
		h.rerun = false
	}
}

func (h *host) runWoken() {
	w := &h.w
	for i := 0; i < len(h.woken); i++ {
		c := h.woken[i]
		h.woken[i] = nil
		w.local = 0
		for c != nil {
			w.run(c, &h.t)
			c, w.next = w.next, nil
			if c == nil {
				break
			}
			if w.local++; w.local >= maxLocal {
				c.rt.enqueue(c) // the others have waited long enough
				break
			}
		}
	}
	h.woken = h.woken[:0]
}
