package poll

import (
	"fmt"
	"os"
	"runtime"
)

// pollerEnv is the environment variable Default reads to pick a Poller:
// "epoll" or "portable". Empty means the best one for the platform.
const pollerEnv = "KAMGEN_POLLER"

// Default returns a new Poller of the best kind for the platform: NewEpoll
// on Linux, NewPortable elsewhere. The environment variable KAMGEN_POLLER
// ("epoll" or "portable") overrides the choice, so that tests and benchmarks
// can compare them; any other non-empty value is an error.
func Default() (Poller, error) { return DefaultDispatch(nil) }

// DefaultDispatch is Default, with newDispatcher given to the epoll
// Poller's loops (see NewEpollDispatch); the portable Poller calls the
// Watchers itself.
func DefaultDispatch(newDispatcher func() Dispatcher) (Poller, error) {
	switch kind := os.Getenv(pollerEnv); kind {
	case "":
		if runtime.GOOS == "linux" {
			return NewEpollDispatch(0, newDispatcher)
		}
		return NewPortable(), nil
	case "epoll":
		return NewEpollDispatch(0, newDispatcher)
	case "portable":
		return NewPortable(), nil
	default:
		return nil, fmt.Errorf("poll: %s=%q: want \"epoll\" or \"portable\"", pollerEnv, kind)
	}
}
