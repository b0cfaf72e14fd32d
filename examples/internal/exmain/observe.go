package exmain

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/introspect"
	"github.com/kamgen/kamgen/runtime/metrics"
)

// Observe is how an example's runtime is made and what is served beside
// it to watch it run: the one place for both. The zero value makes a plain
// runtime and serves nothing.
type Observe struct {
	// DebugAddr is the -debug-addr flag: where to serve /metrics, pprof
	// under /debug/pprof/ and the live picture under /debug/kamgen/. Empty
	// serves nothing. A port alone ("6060" or ":6060") listens on
	// 127.0.0.1; another host must be named, and is warned about: the
	// endpoints show every client's address and let anyone profile the
	// process.
	DebugAddr string
	// Options are added to the runtime's options.
	Options []axon.Option
	// Metrics, when not nil, makes the handler served at /metrics for the
	// runtime; a nil handler serves nothing there.
	Metrics func(rt *axon.Runtime) http.Handler
	// Listening, when not nil, is told the address the debug server
	// listens on once it does.
	Listening func(addr string)
}

// Metrics registers rt's metrics (package metrics), with the Go runtime's
// and the process's, in a registry of their own, and returns the handler
// that serves them to Prometheus.
func Metrics(rt *axon.Runtime) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := metrics.Register(rt, reg); err != nil {
		slog.Error("metrics", "err", err) // the Go and process metrics are still served
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// Flags registers -debug-addr on fs and returns the Observe it fills,
// which serves Metrics at /metrics.
func Flags(fs *flag.FlagSet) *Observe {
	o := &Observe{Metrics: Metrics}
	fs.StringVar(&o.DebugAddr, "debug-addr", "", "serve /metrics, pprof (/debug/pprof/) and the live picture (/debug/kamgen/) on this address: a port alone means 127.0.0.1; off when empty")
	return o
}

// Start makes the runtime and, when DebugAddr is set, serves the debug
// endpoints for it. stop shuts the debug server down; call it once the
// runtime is closed.
func (o Observe) Start() (rt *axon.Runtime, stop func(), err error) {
	if o.DebugAddr == "" {
		return axon.NewRuntime(o.Options...), func() {}, nil
	}
	addr, err := debugAddr(o.DebugAddr)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-debug-addr: %w", err)
	}
	rt = axon.NewRuntime(o.Options...)
	var metrics http.Handler
	if o.Metrics != nil {
		metrics = o.Metrics(rt)
	}
	srv := &http.Server{Handler: DebugMux(rt, metrics), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("debug server", "err", err)
		}
	}()
	at := ln.Addr().String()
	slog.Info("debug server listening", "addr", at, "picture", "http://"+at+"/debug/kamgen/")
	if o.Listening != nil {
		o.Listening(at)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if srv.Shutdown(ctx) != nil {
				_ = srv.Close() // a page's poll still open: drop it
			}
			<-served
		})
	}
	return rt, stop, nil
}

// DebugMux returns the debug endpoints for rt on a mux of their own (never
// http.DefaultServeMux): pprof under /debug/pprof/, the live picture
// under /debug/kamgen/, metrics at /metrics when not nil, and at / a page
// of links to them.
func DebugMux(rt *axon.Runtime, metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/kamgen/", introspect.Handler(rt))
	links := `<a href="/debug/kamgen/">the live picture</a><br><a href="/debug/pprof/">pprof</a>`
	if metrics != nil {
		mux.Handle("/metrics", metrics)
		links += `<br><a href="/metrics">metrics</a>`
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, "<!doctype html><title>kamgen debug</title><p>%s</p>\n", links)
	})
	return mux
}

// debugAddr is the address -debug-addr means: 127.0.0.1 when it names a
// port alone, and a warning when it names a host that is not loopback.
func debugAddr(s string) (string, error) {
	if !strings.Contains(s, ":") {
		s = ":" + s
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("-debug-addr %q: %w", s, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip, err := netip.ParseAddr(host); (err == nil && !ip.IsLoopback()) || (err != nil && host != "localhost") {
		slog.Warn("debug server on a non-loopback address: anyone who reaches it sees every client's address and can profile the process", "addr", net.JoinHostPort(host, port))
	}
	return net.JoinHostPort(host, port), nil
}

// Run is axon.Run in the runtime o makes, with the debug endpoints served
// while parts run: it activates parts and waits until they have all
// finished or ctx ends; when ctx ends, the parts that stop gracefully (a
// server's Shutdown) are given axon.ShutdownGrace to do so, then whatever
// is left is stopped.
func Run(ctx context.Context, o Observe, parts ...axon.Part) error {
	rt, stop, err := o.Start()
	if err != nil {
		for _, p := range parts {
			if c, ok := p.(interface{ Close() error }); ok {
				_ = c.Close() // a server that listens already
			}
		}
		return err
	}
	defer stop()
	return rt.Run(ctx, parts...)
}
