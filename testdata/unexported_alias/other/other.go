// Package other exports aliases of types that code outside it cannot name.
package other

type hidden int

// Hidden is an exported alias of an unexported type.
type Hidden = hidden

// Anon is a struct with an unexported field.
type Anon = struct{ n int }

// Iface has an unexported method.
type Iface = interface{ m() }

// New returns a hidden.
func New() Hidden { return 0 }
