// Sendfile sends a file to a TCP server at a steady rate, and prints what
// the server answers meanwhile: the example of Kamaelia's TCPClient,
//
//	Pipeline(RateControlledFileReader("myfile", rate=100000), TCPClient("1.2.3.4", 1000))
//
// with a ConsoleEchoer at the end, so that a server that talks back (an
// echo server) is heard rather than left waiting. The connection closes
// once the whole file has been written.
//
//	go run ./examples/echo &
//	go run ./examples/sendfile -addr 127.0.0.1:1500 -file notes.txt -rate 1000
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/util"
)

func main() {
	exmain.Main("sendfile", func(ctx context.Context, args []string) error { return run(ctx, args, os.Stdout) })
}

// run sends the file, writing what the server answers to stdout, until the
// file has been sent or ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sendfile", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address of the server")
	file := fs.String("file", "", "file to send")
	rate := fs.Float64("rate", 100000, "bytes per second")
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		fs.Usage()
		return errors.New("-file is required")
	}
	if !(*rate > 0) {
		return errors.New("-rate must be positive")
	}
	reader := util.NewRateControlledFileReader(*file)
	reader.Rate = *rate
	client := internet.NewTCPClient(*addr)
	echo := util.NewConsoleEchoer[[]byte]()
	echo.Writer = stdout
	slog.Info("sending", "addr", *addr, "file", *file, "rate", *rate)
	return exmain.Run(ctx, *obs, chassis.Pipeline3(reader, client, echo))
}
