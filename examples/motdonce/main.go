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
		slog.Error("motdonce", "err", err)
		os.Exit(1)
	}
}

// run serves until the first client has had the message, or ctx ends.
// ready, if not nil, is told the address the server listens on once it
// does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("motdonce", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1501", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := chassis.NewSimpleServer(*addr, MOTDOnceForSimpleServer, chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("motdonce server listening", "addr", srv.Addr().String())
	if ready != nil {
		ready(srv.Addr().String())
	}
	if err := axon.Run(ctx, srv); err != nil {
		return err
	}
	slog.Info("motdonce server stopped")
	return nil
}
