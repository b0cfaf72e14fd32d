// Oneshot is a server that waits for one message from each client, answers
// "You sent the message:" followed by it, and closes the connection. It is
// Kamaelia's cookbook example 4 on SimpleServer.
//
//	go run ./examples/oneshot -addr 127.0.0.1:1500
//	echo hello | nc 127.0.0.1 1500
package main

//go:generate go tool kamgen

import (
	"context"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("oneshot", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	return exmain.Serve(ctx, "oneshot", "127.0.0.1:1500", args, ready, func(addr string) (exmain.Server, error) {
		return chassis.NewServerCore(addr, chassis.Handler(NewOneShot), chassis.ServerOptions{})
	})
}
