package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/redisbridge"
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
	redisAddr := fs.String("redis", "", "share the room, and its nicks, with every chat server pointed at the Redis at this address (host:port or redis:// URL), through its pub/sub channel "+channel)
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	room := NewRoom(newMemoryNames())
	parts := []axon.Part{room.Backplane}
	if *redisAddr != "" {
		client, err := exmain.DialRedis(ctx, *redisAddr)
		if err != nil {
			return err
		}
		defer client.Close()
		names, err := newRedisNames(ctx, client)
		if err != nil {
			return err
		}
		defer names.Close()
		room.Names = names
		parts = append(parts, redisbridge.NewBridge(room.Backplane, client, channel))
	}
	srv, err := chassis.NewServerCore(*addr, chassis.Handler(room.NewClient), chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("chat server listening", "addr", srv.Addr().String(), "redis", *redisAddr)
	if ready != nil {
		ready(srv.Addr().String())
	}
	err = exmain.Run(ctx, *obs, append(parts, srv)...)
	room.Wait() // for the nicks to be released, before Redis is let go
	return err
}

// channel is the Redis pub/sub channel the room is shared on.
const channel = "kamgen:chat:room"
