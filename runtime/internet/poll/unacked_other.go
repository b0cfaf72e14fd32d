//go:build !linux

package poll

// fdUnacked cannot tell on this system.
func fdUnacked(int) (int, bool) { return 0, false }

// fdPendingError cannot tell on this system.
func fdPendingError(int) error { return nil }
