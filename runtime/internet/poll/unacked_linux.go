package poll

import "golang.org/x/sys/unix"

// fdUnacked returns what the socket fd holds that its peer has not
// acknowledged (SIOCOUTQ).
func fdUnacked(fd int) (int, bool) {
	n, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
	return n, err == nil
}

// fdPendingError returns the socket fd's pending error (SO_ERROR), or nil.
func fdPendingError(fd int) error {
	n, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil || n == 0 {
		return nil
	}
	return unix.Errno(n)
}
