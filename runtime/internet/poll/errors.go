package poll

import (
	"errors"
	"syscall"
)

// errWatched is returned by a second Watch on the same socket: a socket has
// one owner, and silently replacing it (Kamaelia's "first registration wins",
// B15) would leave the other waiting forever.
var errWatched = errors.New("poll: socket is already watched")

// temporaryErrnos are the accept failures that leave the listener working:
// out of descriptors or buffers, or a connection reset before it was
// accepted.
var temporaryErrnos = [...]syscall.Errno{
	syscall.EMFILE,
	syscall.ENFILE,
	syscall.ECONNABORTED,
	syscall.ENOBUFS,
	syscall.ENOMEM,
	syscall.EINTR,
}

func isTemporary(err error) bool {
	if err == nil {
		return false
	}
	for _, errno := range temporaryErrnos {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
