package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/util"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		slog.Error("markov", "err", err)
		os.Exit(1)
	}
}

var errNoServer = errors.New("the TCP server needs kamgen's network runtime, which is not built yet: run with -console")

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("markov", flag.ContinueOnError)
	onConsole := fs.Bool("console", false, "chat on the console instead of serving TCP: Pipeline(ConsoleReader, Chatty, ConsoleEchoer)")
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	chain := &Chain{Store: NewMemoryStore()}
	if !*onConsole {
		return fmt.Errorf("listening on %s: %w", *addr, errNoServer)
	}
	return console(ctx, chain, stdin, stdout)
}

// console runs Kamaelia's Pipeline(ConsoleReader(), Chatty(), ConsoleEchoer()).
func console(ctx context.Context, chain *Chain, stdin io.Reader, stdout io.Writer) error {
	reader := util.NewConsoleReader()
	reader.Reader, reader.PromptWriter = stdin, stdout
	echo := util.NewConsoleEchoer[[]byte]()
	echo.Writer = stdout
	return axon.Run(ctx, chassis.Pipeline3(reader, NewChatty(chain), echo))
}
