// Cleverecho is an echo server that first tells each client where it
// connected from and to: "Welcome! You have connected to 127.0.0.1 on port
// 1500 from 127.0.0.1 on port 47316". It is the CleverEchoProtocol example
// of Kamaelia's ServerCore, whose factory passes the connection's addresses
// to the protocol handler.
//
//	go run ./examples/cleverecho -addr 127.0.0.1:1500
//	nc 127.0.0.1 1500
package main

//go:generate go tool kamgen

import (
	"context"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("cleverecho", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	return exmain.Serve(ctx, "cleverecho", "127.0.0.1:1500", args, ready, func(addr string) (exmain.Server, error) {
		return chassis.NewServerCore(addr, chassis.Handler(NewCleverEcho), chassis.ServerOptions{})
	})
}
