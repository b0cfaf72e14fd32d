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
		slog.Error("motd", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("motd", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := chassis.NewSimpleServer(*addr, MOTDForSimpleServer, chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("motd server listening", "addr", srv.Addr().String())
	if ready != nil {
		ready(srv.Addr().String())
	}
	return axon.Run(ctx, srv)
}
