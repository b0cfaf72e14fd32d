// Motdonce is a message-of-the-day server that serves one client only: the
// first client gets the message, then the server stops and the program
// exits with status 0. It is Kamaelia's cookbook example 6 on
// SimpleServer, on the seed's port 1501.
//
//	go run ./examples/motdonce -addr 127.0.0.1:1501 &
//	nc 127.0.0.1 1501
package main

//go:generate go tool kamgen

import (
	"context"
	"log/slog"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("motdonce", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until the first client has had the message, or ctx ends.
// ready, if not nil, is told the address the server listens on once it
// does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	if err := exmain.Serve(ctx, "motdonce", "127.0.0.1:1501", args, ready, func(addr string) (exmain.Server, error) {
		return chassis.NewServerCore(addr, chassis.Handler(NewMOTDOnce), chassis.ServerOptions{})
	}); err != nil {
		return err
	}
	slog.Info("motdonce server stopped")
	return nil
}
