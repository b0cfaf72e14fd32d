// Motd is a message-of-the-day server: each client gets the message, then
// the server closes the connection. It is Kamaelia's cookbook example 2
// ("Shutting down the connection inside the protocol handler") on
// SimpleServer.
//
//	go run ./examples/motd -addr 127.0.0.1:1500
//	nc 127.0.0.1 1500
package main

//go:generate go tool kamgen

import (
	"context"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("motd", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	return exmain.Serve(ctx, "motd", "127.0.0.1:1500", args, ready, func(addr string) (exmain.Server, error) {
		return chassis.NewServerCore(addr, chassis.Handler(NewMOTD), chassis.ServerOptions{})
	})
}
