package err_main_signature

import (
	"context"

	"github.com/kamgen/kamgen/runtime/axon"
)

type NoCtx struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (c *NoCtx) Main() error { return nil }

type NoErr struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (c *NoErr) Main(ctx context.Context) {}

type Extra struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (c *Extra) Main(ctx context.Context, n int) error { return nil }
