package cgofile

// #include <stdlib.h>
import "C"

import "github.com/kamgen/kamgen/runtime/axon"

// Counter is declared in a cgo file: its generated file builds only with
// cgo, as its source does.
type Counter struct {
	axon.Component
	In axon.Inbox[int] `inbox:"inbox"`
	n  C.int
}

func (c *Counter) onIn(int) { c.n++ }
