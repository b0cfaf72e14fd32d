// Echometrics is examples/echo with its runtime's metrics on or off, for
// measuring what metrics cost (scripts/bench-metrics.sh): the same
// handler, the same options, in one binary.
//
//	go run ./internal/bench/echometrics -addr 127.0.0.1:1500 -metrics -scrape 1s
//
// With -metrics the runtime's metrics are registered with a registry of
// their own, gathered every -scrape (as a Prometheus server would, more
// often) and served on -metrics-addr, if set, at /metrics.
package main

//go:generate go tool kamgen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/metrics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		slog.Error("echometrics", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("echometrics", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address to listen on")
	on := fs.Bool("metrics", false, "register the runtime's metrics")
	scrape := fs.Duration("scrape", 0, "with -metrics, gather them this often (0: never)")
	metricsAddr := fs.String("metrics-addr", "", "with -metrics, serve them on this address at /metrics")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file until the server stops")
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
	rt := axon.NewRuntime()
	if *on {
		reg := prometheus.NewRegistry()
		if err := metrics.Register(rt, reg); err != nil {
			return err
		}
		if *scrape > 0 {
			go gather(ctx, reg, *scrape)
		}
		if *metricsAddr != "" {
			ln, err := net.Listen("tcp", *metricsAddr)
			if err != nil {
				return err
			}
			hs := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
			go func() {
				if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					slog.Error("echometrics: serving /metrics", "err", err)
				}
			}()
			defer hs.Close()
		}
	}
	opts := chassis.ServerOptions{Conn: internet.ConnOptions{ReuseBuffers: true}}
	srv, err := chassis.NewServerCore(*addr, chassis.Handler(NewEcho), opts)
	if err != nil {
		return err
	}
	slog.Info("echo server listening", "addr", srv.Addr().String(), "metrics", *on)
	return rt.Run(ctx, srv)
}

// gather gathers reg's metrics every d until ctx ends, as a scrape would.
func gather(ctx context.Context, reg *prometheus.Registry, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := reg.Gather(); err != nil {
				fmt.Fprintln(os.Stderr, "echometrics: gather:", err)
			}
		}
	}
}
