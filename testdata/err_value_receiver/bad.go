package err_value_receiver

import (
	"context"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Client's handlers and hooks are declared on Client, not *Client: each
// would run on a copy.
type Client struct {
	axon.Component
	Room    axon.Inbox[string]      `inbox:"room"`
	Control axon.Inbox[axon.Signal] `inbox:"control"`
	Good    axon.Inbox[int]         `inbox:"good"`
}

func (c Client) OnRoom(m string)                              {}
func (Client) OnControl(axon.Signal) error                    { return nil }
func (c *Client) OnGood(n int)                                {}
func (c Client) OnStart()                                     {}
func (c Client) OnStop()                                      {}
func (c Client) OnWake()                                      {}
func (c Client) OnTurnEnd()                                   {}
func (c Client) OnChildDone(child *axon.Component, err error) {}

// Worker is threaded, with a Main on a value.
type Worker struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (w Worker) Main(ctx context.Context) error { return nil }

// Box is generic: the fix names its type parameters.
type Box[T any] struct {
	axon.Component
	In axon.Inbox[T] `inbox:"in"`
}

func (b Box[U]) OnIn(v U) {}
