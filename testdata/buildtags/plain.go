package buildtags

import "github.com/kamgen/kamgen/runtime/axon"

// Plain is in a file without build constraints.
type Plain struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
