package internet

import (
	"fmt"
	"sync"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// The Selector is one service: the Poller that every server and client of
// the process shares unless given their own. It is made at first use and
// closed when its last user lets go, so it lives exactly as long as someone
// needs it: never shut down under a user (Kamaelia's Selector stopped after
// any server's shutdown, or after 3.5 s idle: its bug B15).
var selector struct {
	mu    sync.Mutex
	p     poll.Poller
	users int
}

// AcquireSelector returns the shared Selector and a function that lets it go
// (call it once, when done). The first acquire makes it with
// poll.DefaultDispatch, its epoll loops running the turns of the adapters
// whose sockets they find ready (loopHost); the last release closes it, in
// the background.
func AcquireSelector() (poll.Poller, func(), error) {
	selector.mu.Lock()
	defer selector.mu.Unlock()
	if selector.p == nil {
		p, err := poll.DefaultDispatch(newLoopHost)
		if err != nil {
			return nil, nil, fmt.Errorf("starting the selector: %w", err)
		}
		selector.p = p
	}
	selector.users++
	p := selector.p
	var once sync.Once
	return p, func() { once.Do(releaseSelector) }, nil
}

func releaseSelector() {
	selector.mu.Lock()
	defer selector.mu.Unlock()
	selector.users--
	if selector.users == 0 && selector.p != nil {
		// The last user may let go from a turn that one of the Selector's
		// own loops runs (loopHost), and Close waits for the loops: close
		// it from a goroutine of its own.
		go selector.p.Close()
		selector.p = nil
	}
}
