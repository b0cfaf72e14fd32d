package obsolete

import "github.com/kamgen/kamgen/runtime/axon"

// Y had boxes once; now it has none, so y_kam.go is obsolete.
type Y struct {
	axon.Component
	Name string
}
