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
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], nil)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		slog.Error("cleverecho", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("cleverecho", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := chassis.NewServerCore(*addr, CleverEchoForServerCore, chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("cleverecho server listening", "addr", srv.Addr().String())
	if ready != nil {
		ready(srv.Addr().String())
	}
	return axon.Run(ctx, srv)
}
