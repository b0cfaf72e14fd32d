package recvnames

import "github.com/kamgen/kamgen/runtime/axon"

// Index's methods name its type parameters differently from its
// declaration, as Go allows: the handlers still match their inboxes.
type Index[K comparable, V any] struct {
	axon.Component
	In   axon.Inbox[map[K]V] `inbox:"in"`
	Keys axon.Inbox[[]K]     `inbox:"keys"`
	Out  axon.Outbox[V]      `outbox:"out"`
}

func (x *Index[Key, Val]) OnIn(m map[Key]Val) error { return nil }
func (x *Index[A, _]) OnKeys(ks []A)                {}
