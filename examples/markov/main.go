package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/util"
)

func main() {
	exmain.Main("markov", func(ctx context.Context, args []string) error { return run(ctx, args, os.Stdin, os.Stdout, nil) })
}

// run chats on the console (-console) until its input ends, or serves TCP
// until ctx ends. ready, if not nil, is told the address the server
// listens on once it does.
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, ready func(addr string)) error {
	fs := flag.NewFlagSet("markov", flag.ContinueOnError)
	onConsole := fs.Bool("console", false, "chat on the console instead of serving TCP: Pipeline(ConsoleReader, Chatty, ConsoleEchoer)")
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	redisAddr := fs.String("redis", "", "keep the chain in the Redis at this address (host:port or redis:// URL), shared with every server pointed at it; it must have a maxmemory and an allkeys eviction policy; default: in memory")
	chainMiB := fs.Int("chain-mib", DefaultMemoryBytes>>20, "the most memory the chain holds in this process, in MiB (without -redis): past it, it forgets pairs of words at random")
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	chain := &Chain{Store: NewMemoryStoreOf(*chainMiB << 20)}
	if *redisAddr != "" {
		client, err := exmain.DialRedis(ctx, *redisAddr)
		if err != nil {
			return err
		}
		defer client.Close()
		store := NewRedisStore(client, DefaultRedisPrefix)
		if err := store.CheckBounded(ctx); err != nil {
			return fmt.Errorf("-redis %s: %w", *redisAddr, err)
		}
		chain.Store = store
	}
	if *onConsole {
		return console(ctx, *obs, chain, stdin, stdout)
	}
	return serve(ctx, *obs, *addr, chain, ready)
}

// serve runs Kamaelia's ServerCore(protocol=Chatty, port=1500): a Chatty
// for each connection, every one sharing chain.
func serve(ctx context.Context, obs exmain.Observe, addr string, chain *Chain, ready func(addr string)) error {
	srv, err := chassis.NewServerCore(addr, chassis.Handler(func() *Chatty { return NewChatty(chain) }), chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("markov server listening", "addr", srv.Addr().String(), "store", storeName(chain.Store))
	if ready != nil {
		ready(srv.Addr().String())
	}
	return exmain.Run(ctx, obs, srv)
}

func storeName(s Store) string {
	if _, ok := s.(*RedisStore); ok {
		return "redis"
	}
	return "memory"
}

// console runs Kamaelia's Pipeline(ConsoleReader(), Chatty(), ConsoleEchoer()).
func console(ctx context.Context, obs exmain.Observe, chain *Chain, stdin io.Reader, stdout io.Writer) error {
	reader := util.NewConsoleReader()
	reader.Reader, reader.PromptWriter = stdin, stdout
	echo := util.NewConsoleEchoer[[]byte]()
	echo.Writer = stdout
	return exmain.Run(ctx, obs, chassis.Pipeline3(reader, NewChatty(chain), echo))
}
