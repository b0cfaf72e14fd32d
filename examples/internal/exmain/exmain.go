// Package exmain is the command line the examples share: a process that
// stops on SIGINT or SIGTERM; the runtime every example runs in, with the
// debug endpoints of its -debug-addr (Observe); and the cookbook's small
// servers, which take only -addr and -debug-addr.
package exmain

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Main runs run with the process's arguments until it returns or SIGINT or
// SIGTERM ends its context. -h is not a failure; any other error is logged
// under name and exits with status 1.
func Main(name string, run func(ctx context.Context, args []string) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		slog.Error(name, "err", err)
		os.Exit(1)
	}
}

// Server is what the small examples serve: a chassis.ServerCore or
// SimpleServer.
type Server interface {
	axon.Part
	Addr() netip.AddrPort
}

// Serve parses args (an -addr flag, def by default, and -debug-addr, see
// Observe), makes the server with listen, and serves until ctx ends.
// ready, if not nil, is told the address
// the server listens on once it does.
func Serve(ctx context.Context, name, def string, args []string, ready func(addr string), listen func(addr string) (Server, error)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	addr := fs.String("addr", def, "address to listen on")
	obs := Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := listen(*addr)
	if err != nil {
		return err
	}
	slog.Info(name+" server listening", "addr", srv.Addr().String())
	if ready != nil {
		ready(srv.Addr().String())
	}
	return Run(ctx, *obs, srv)
}

// DialRedis connects to the Redis at addr (host:port or a redis:// URL),
// the value of an example's -redis flag, and checks that it answers: a
// wrong address is an error at start, not a silent failure later.
func DialRedis(ctx context.Context, addr string) (*redis.Client, error) {
	opts := &redis.Options{Addr: addr}
	if strings.Contains(addr, "://") {
		var err error
		if opts, err = redis.ParseURL(addr); err != nil {
			return nil, fmt.Errorf("-redis %s: %w", addr, err)
		}
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("connecting to Redis at %s: %w", addr, err)
	}
	return client, nil
}

// ServePlain is how the examples' plain Go twins serve, the yardsticks the
// kamgen servers are measured against: it listens on addr, tells ready
// (if not nil) the address, and runs serve in a goroutine of its own for
// each connection, closing the connection when serve returns. When ctx
// ends it stops accepting, closes every connection, and returns once
// every serve has.
func ServePlain(ctx context.Context, name, addr string, ready func(addr string), serve func(net.Conn)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	slog.Info(name+" server listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	stop := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	defer stop()
	for {
		c, err := ln.Accept()
		if err != nil {
			wg.Wait()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		mu.Lock()
		conns[c] = true
		if ctx.Err() != nil {
			c.Close() // accepted as the server stops, after its connections were closed
		}
		mu.Unlock()
		wg.Go(func() {
			serve(c)
			mu.Lock()
			delete(conns, c)
			mu.Unlock()
			c.Close()
		})
	}
}
