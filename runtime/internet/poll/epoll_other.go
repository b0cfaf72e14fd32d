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

// NewEpollDispatch is only available on Linux, as NewEpoll.
func NewEpollDispatch(loops int, newDispatcher func() Dispatcher) (Poller, error) {
	return NewEpoll(loops)
}
