package err_handler_missing

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In      axon.Inbox[[]string]    `inbox:"inbox"`
	Control axon.Inbox[axon.Signal] `inbox:"control"`
	Late    axon.Inbox[int]         `inbox:"late,last"`
}

// onIn is unexported: not the handler of In.
func (c *C) onIn([]string) {}

// G is generic: the fix names the message type with its type parameter.
type G[T any] struct {
	axon.Component
	In axon.Inbox[map[string]T] `inbox:"in"`
}
