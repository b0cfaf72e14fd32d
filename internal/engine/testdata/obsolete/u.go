package obsolete

import "github.com/kamgen/kamgen/runtime/axon"

// U is a component.
type U struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
