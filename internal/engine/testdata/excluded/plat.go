//go:build kamgen_never

package excluded

import "github.com/kamgen/kamgen/runtime/axon"

// P is built only with the tag kamgen_never; plat_kam.go was generated
// with kamgen -tags kamgen_never. Without the tag, kamgen does not see P:
// it must leave plat_kam.go alone, not remove it.
type P struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
