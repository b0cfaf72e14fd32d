package othergen

import "github.com/kamgen/kamgen/runtime/axon"

// X is a component.
type X struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
