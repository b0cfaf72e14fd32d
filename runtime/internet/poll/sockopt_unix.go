//go:build unix

package poll

import "syscall"

// setReuseAddr is a net.ListenConfig Control func that sets SO_REUSEADDR, so
// that a restarted server binds while old connections sit in TIME_WAIT. Go
// sets it on Unix already; setting it here keeps the contract explicit.
func setReuseAddr(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	})
	if err != nil {
		return err
	}
	return serr
}
