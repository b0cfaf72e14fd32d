//go:build kamgen_never

package buildtags

import "github.com/kamgen/kamgen/runtime/axon"

// Excluded is in a file left out of the build: no excluded_kam.go.
type Excluded struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
