//go:build kamgen_buildcheck

package optional

import "github.com/kamgen/kamgen/runtime/chassis"

// What the generated accessors are for: ServerCore links a handler's
// optional boxes through these interfaces.
var (
	_ chassis.ServerSignaller = (*Mail)(nil)
	_ chassis.TLSUpgrader     = (*Mail)(nil)
)
