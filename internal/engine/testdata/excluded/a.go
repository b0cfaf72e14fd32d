package excluded

import "github.com/kamgen/kamgen/runtime/axon"

// A is a component.
type A struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
