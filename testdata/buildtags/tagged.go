// Tagged's file builds unless the tag kamgen_never is set: so must its
// generated file, or a build with the tag breaks (Tagged undefined).

//go:build !kamgen_never

package buildtags

import "github.com/kamgen/kamgen/runtime/axon"

type Tagged struct {
	axon.Component
	Out axon.Outbox[string] `outbox:"out"`
}
