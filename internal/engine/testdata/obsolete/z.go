package obsolete

import "github.com/kamgen/kamgen/runtime/axon"

// Z is a component.
type Z struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
