package multifile

import "github.com/kamgen/kamgen/runtime/axon"

// Beta carries Alpha values: a type of another file of the package.
type Beta struct {
	axon.Component
	In axon.Inbox[*Alpha] `inbox:"in,nohandler"`
}
