package usernew_alias

import "github.com/kamgen/kamgen/runtime/axon"

// Ref is *Plain under another name.
type Ref = *Plain

// Plain's constructor returns *Plain through an alias: it returns *Plain
// all the same, and kamgen must accept it.
type Plain struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}

func NewPlain() Ref { return new(Plain).initBoxes() }
