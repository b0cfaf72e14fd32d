package main

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/examples/resp/internal/resptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The server passes the RESP suite: go-redis pipelined, inline commands,
// requests cut anywhere, protocol errors and huge requests.
func TestServer(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	resptest.Run(t, srv.Addr)
}
