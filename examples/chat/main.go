package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("chat", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves the chat until ctx ends. ready, if not nil, is told the
// address the server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	addr := fs.String("addr", "127.0.0.1:1502", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	room := NewRoom()
	srv, err := chassis.NewServerCore(*addr, chassis.Handler(room.NewClient), chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("chat server listening", "addr", srv.Addr().String())
	if ready != nil {
		ready(srv.Addr().String())
	}
	return axon.Run(ctx, room.Backplane, srv)
}
