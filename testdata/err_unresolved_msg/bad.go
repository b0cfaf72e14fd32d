package err_unresolved_msg

import "github.com/kamgen/kamgen/runtime/axon"

// C's boxes use types that do not resolve, such as a type not written yet.
type C struct {
	axon.Component
	In    axon.Inbox[Missing]     `inbox:"in"`
	Out   axon.Outbox[[]*Missing] `outbox:"out"`
	Whole Missing                 `inbox:"whole"`
}
