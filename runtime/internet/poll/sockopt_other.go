//go:build !unix

package poll

import "syscall"

// setReuseAddr does nothing where SO_REUSEADDR does not mean "bind over
// TIME_WAIT" (on Windows it lets another process steal the port); the net
// package's defaults apply there.
func setReuseAddr(network, address string, c syscall.RawConn) error { return nil }
