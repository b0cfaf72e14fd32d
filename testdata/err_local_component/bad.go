package err_local_component

import "github.com/kamgen/kamgen/runtime/axon"

func build() {
	type Local struct {
		axon.Component
		In axon.Inbox[int] `inbox:"in"`
	}
	_ = Local{}
}

type T struct{}

func (T) method() any {
	return func() any {
		type Nested struct {
			axon.Component
			Peer string `kam:"peer"`
		}
		return Nested{}
	}
}
