package multifile

import "github.com/kamgen/kamgen/runtime/axon"

// Tested is declared in a test file, which kamgen does not load: no
// alpha_test_kam.go.
type Tested struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}
