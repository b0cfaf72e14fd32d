package poll

import "golang.org/x/sys/unix"

// fdUnacked returns what the socket fd holds that its peer has not
// acknowledged (SIOCOUTQ).
func fdUnacked(fd int) (int, bool) {
	n, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
	return n, err == nil
}
