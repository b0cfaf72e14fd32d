// Echo is a TCP echo server: every byte a client sends comes back. It is
// Kamaelia's cookbook examples 1 and 3 on ServerCore.
//
//	go run ./examples/echo -addr 127.0.0.1:1500
//	go run ./examples/echo -tls-cert cert.pem -tls-key key.pem
package main

//go:generate go tool kamgen

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], nil); err != nil {
		slog.Error("echo", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	cert := fs.String("tls-cert", "", "serve TLS with this certificate (PEM)")
	key := fs.String("tls-key", "", "the certificate's private key (PEM)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file until the server stops")
	memprofile := fs.String("memprofile", "", "write a heap profile to this file when asked to stop, before the connections close")
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		runtime.MemProfileRate = 1 // every allocation: exact figures per connection
		// The profile is taken while the connections are still open: the
		// server stops only once it is written.
		signalled := ctx
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-signalled.Done()
			if err := writeHeapProfile(*memprofile); err != nil {
				slog.Error("echo: heap profile", "err", err)
			}
			cancel()
		}()
	}
	// Echo sends on what it is given and keeps nothing: the adapters may
	// reuse their read buffers.
	opts := chassis.ServerOptions{Conn: internet.ConnOptions{ReuseBuffers: true}}
	if *cert != "" || *key != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fmt.Errorf("loading the TLS certificate: %w", err)
		}
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	}
	srv, err := chassis.NewServerCore(*addr, chassis.Handler(NewEcho), opts)
	if err != nil {
		return err
	}
	slog.Info("echo server listening", "addr", srv.Addr().String(), "tls", opts.TLS != nil)
	if ready != nil {
		ready(srv.Addr().String())
	}
	return exmain.Run(ctx, *obs, srv)
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
