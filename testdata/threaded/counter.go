package threaded

import (
	"context"
	"strings"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Counter is threaded: it declares Main(ctx) error, so it gets no Dispatch
// and its inboxes need no handlers. It has the four standard boxes, but not
// of []byte: Std accessors, no server factories.
type Counter struct {
	axon.Component
	In      axon.Inbox[string]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[int]         `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	Peer    string                   `kam:"peer"`
}

// Main counts the words of each line until told to stop.
func (c *Counter) Main(ctx context.Context) error {
	for {
		if sig, ok := c.Control.TryRecv(); ok {
			return c.Signal.Send(sig)
		}
		line, err := c.In.Recv(ctx)
		if err != nil {
			return err
		}
		if err := c.Out.Send(len(strings.Fields(line))); err != nil {
			return err
		}
	}
}

// Ticker is threaded, with an unnamed receiver and parameter in Main and
// boxes of its own names. An On method of a threaded component is not a
// handler: OnTick is not reported as matching no inbox.
type Ticker struct {
	axon.Component
	Ticks axon.Outbox[int]    `outbox:"ticks,cap=1"`
	Reset axon.Inbox[float64] `inbox:"reset"`
}

func (*Ticker) Main(context.Context) error { return nil }

func (t *Ticker) OnTick(n int) {}
