package axon

import (
	"time"

	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// NewHost returns the Host that network pollers use.
func NewHost() loop.Host { return loop.NewHost() }

// WaitIdle waits until no reactive component is queued or running, or
// timeout passes; it reports whether the runtime went idle.
func (rt *Runtime) WaitIdle(timeout time.Duration) bool {
	expired := false
	t := time.AfterFunc(timeout, func() {
		rt.mu.Lock()
		expired = true
		rt.quiet.Broadcast()
		rt.mu.Unlock()
	})
	defer t.Stop()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for !(rt.idle == rt.workers && rt.runq.len() == 0) && !expired {
		rt.quiet.Wait()
	}
	return rt.idle == rt.workers && rt.runq.len() == 0
}

// OwnedLinks returns how many links c owns.
func OwnedLinks(c *Component) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ext == nil {
		return 0
	}
	return len(c.ext.links)
}

// Recall is links.Recall, for the tests of the package.
func (o *Outbox[T]) Recall() (m T, ok bool) { return o.recall() }
