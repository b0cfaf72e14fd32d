// Train feeds a file to a running Markov chat server, line by line, and
// prints what the server answers: the trainer of Kamaelia's cookbook
// example 7,
//
//	Pipeline(ReadFileAdaptor("SomeTrainingMaterial"), TCPClient("127.0.0.1", 1500), ConsoleEchoer())
//
// here a Graphline, with a Trainer between the three that keeps the
// connection open until every line has been answered (see Trainer).
//
//	go run ./examples/markov &
//	go run ./examples/markov/train -addr 127.0.0.1:1500 -file notes.txt
package main

//go:generate go tool kamgen

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/util"
)

func main() {
	exmain.Main("train", func(ctx context.Context, args []string) error { return run(ctx, args, os.Stdin, os.Stdout) })
}

// run sends the file to the server and writes the answers to stdout, until
// the server has answered every line or ctx ends.
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address of the Markov chat server")
	file := fs.String("file", "", `file to train the chain with, a line at a time ("-": standard input)`)
	wait := fs.Duration("wait", DefaultWait, "how long to wait for the answers to the last lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		fs.Usage()
		return errors.New("-file is required")
	}
	g, err := trainer(*addr, *file, *wait, stdin, stdout)
	if err != nil {
		return err
	}
	slog.Info("training", "addr", *addr, "file", *file)
	return axon.Run(ctx, g)
}

// trainer builds the Graphline:
//
//	READER     = ReadFileAdaptor(file)
//	TRAINER    = Trainer
//	CONNECTION = TCPClient(addr)
//	CONSOLE    = ConsoleEchoer
//
//	READER.outbox      -> TRAINER.inbox      READER.signal         -> TRAINER.control
//	TRAINER.outbox     -> CONNECTION.inbox   TRAINER.signal        -> CONNECTION.control
//	CONNECTION.outbox  -> TRAINER.answers    CONNECTION.signal     -> TRAINER.ended
//	TRAINER.console    -> CONSOLE.inbox      TRAINER.consolesignal -> CONSOLE.control
//	TRAINER.readercontrol -> READER.control
func trainer(addr, file string, wait time.Duration, stdin io.Reader, stdout io.Writer) (*chassis.Graphline[axon.None, axon.None], error) {
	reader := util.NewReadFileAdaptor(file)
	if file == "-" {
		reader.Filename, reader.Reader = "", stdin
	}
	t := NewTrainer()
	t.Wait = wait
	conn := internet.NewTCPClient(addr)
	console := util.NewConsoleEchoer[[]byte]()
	console.Writer = stdout
	g := chassis.NewGraphline[axon.None, axon.None](reader, t, conn, console)
	err := g.Wire(
		axon.Wire(&reader.Out, &t.In),
		axon.Wire(&reader.Signal, &t.Control),
		axon.Wire(&t.Out, &conn.In),
		axon.Wire(&t.Signal, &conn.Control),
		axon.Wire(&conn.Out, &t.Answers),
		axon.Wire(&conn.Signal, &t.Ended),
		axon.Wire(&t.Console, &console.In),
		axon.Wire(&t.ConsoleSignal, &console.Control),
		axon.Wire(&t.ReaderControl, &reader.Control),
	)
	return g, err
}
