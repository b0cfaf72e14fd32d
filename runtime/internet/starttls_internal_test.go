package internet

import (
	"testing"
	"unsafe"
)

// maxAdapterSize is what a ConnectedSocketAdapter may cost: one is made per
// connection, and STARTTLS must not make every connection pay for the few
// that upgrade (its boxes and state are in the lazily made cold part).
const maxAdapterSize = 600

func TestAdapterSize(t *testing.T) {
	if got := unsafe.Sizeof(ConnectedSocketAdapter{}); got > maxAdapterSize {
		t.Fatalf("ConnectedSocketAdapter is %d bytes, more than %d: keep what few connections need in csaCold", got, maxAdapterSize)
	}
}
