//go:build ignore

package multifile

import "github.com/kamgen/kamgen/runtime/axon"

// Ignored is in a file excluded by its build constraint: no ignored_kam.go.
type Ignored struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}
