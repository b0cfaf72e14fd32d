//go:build !linux

package poll

import (
	"errors"
	"runtime"
)

// NewEpoll is only available on Linux; elsewhere it returns an error. Use
// NewPortable or Default.
func NewEpoll(loops int) (Poller, error) {
	return nil, errors.New("poll: epoll is not available on " + runtime.GOOS)
}
