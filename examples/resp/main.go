// Resp is a Redis-protocol (RESP2) server with one store that every
// connection shares: PING, ECHO, SET (with EX and PX), GET, DEL, EXISTS,
// INCR and MGET, pipelined or not, and inline commands, so that redis-cli,
// redis-benchmark, any Redis client and nc all work:
//
//	go run ./examples/resp -addr 127.0.0.1:6380
//	redis-cli -p 6380 set greeting hello
//	printf 'GET greeting\r\n' | nc 127.0.0.1 6380
//
// The same server written the plain Go way, a goroutine per connection
// and bufio, is ./plain; scripts/bench-resp.sh measures both against
// redis-server with redis-benchmark.
package main

//go:generate go tool kamgen

import (
	"context"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/examples/resp/internal/store"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("resp", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	return exmain.Serve(ctx, "resp", "127.0.0.1:6380", args, ready, func(addr string) (exmain.Server, error) {
		st := store.New()
		return chassis.NewServerCore(addr, chassis.Handler(func() *Session { return NewSession(st) }), chassis.ServerOptions{})
	})
}
