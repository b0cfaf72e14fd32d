package multifile

import "github.com/kamgen/kamgen/runtime/axon"

// Alpha's handler is declared in handlers.go.
type Alpha struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

// Alpha2 shares alpha.go's generated file with Alpha.
type Alpha2 struct {
	axon.Component
	Out axon.Outbox[*Beta] `outbox:"out"`
}
