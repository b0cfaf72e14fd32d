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
func Default() (Poller, error) {
	switch kind := os.Getenv(pollerEnv); kind {
	case "":
		if runtime.GOOS == "linux" {
			return NewEpoll(0)
		}
		return NewPortable(), nil
	case "epoll":
		return NewEpoll(0)
	case "portable":
		return NewPortable(), nil
	default:
		return nil, fmt.Errorf("poll: %s=%q: want \"epoll\" or \"portable\"", pollerEnv, kind)
	}
}
