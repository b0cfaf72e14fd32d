package chaos

import (
	"net"
	"syscall"
	"unsafe"
)

// unsent returns how many bytes written to c the peer has not yet
// acknowledged (SIOCOUTQ), or 0 if that cannot be told.
func unsent(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	var n int32
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
	}); err != nil || errno != 0 {
		return 0
	}
	return int(n)
}
