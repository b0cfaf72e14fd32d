// Munch is a server that answers each chunk a client sends with "munch"
// followed by the chunk, and closes the connection when a chunk contains
// "shutdown". It is Kamaelia's cookbook example 5 on SimpleServer.
//
//	go run ./examples/munch -addr 127.0.0.1:1500
//	nc 127.0.0.1 1500
package main

//go:generate go tool kamgen

import (
	"context"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("munch", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	return exmain.Serve(ctx, "munch", "127.0.0.1:1500", args, ready, func(addr string) (exmain.Server, error) {
		return chassis.NewServerCore(addr, chassis.Handler(NewMunch), chassis.ServerOptions{})
	})
}
