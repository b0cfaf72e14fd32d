package metrics_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/childproc"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/metrics"
)

const emfileChild = "KAMGEN_METRICS_EMFILE_SERVER"

// TestEMFILEServerProcess is not a test of its own: TestAcceptErrors runs
// the test binary again with it, as a server limited to 64 open files.
// It answers each line it is sent with its count of accept errors and of
// connections accepted.
func TestEMFILEServerProcess(t *testing.T) {
	reg := prometheus.NewRegistry()
	report := func(string) {
		mfs, err := reg.Gather()
		if err != nil {
			fmt.Println("gather:", err)
			return
		}
		var errs, accepted float64
		for _, mf := range mfs {
			switch mf.GetName() {
			case "kamgen_accept_errors_total":
				errs = mf.GetMetric()[0].GetCounter().GetValue()
			case "kamgen_connections_accepted_total":
				accepted = mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		fmt.Println(errs, accepted)
	}
	childproc.Serve(emfileChild, func(ctx context.Context, _ []string, ready func(string)) error {
		lim := syscall.Rlimit{Cur: 64, Max: 64}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("setrlimit: %w", err)
		}
		rt := axon.NewRuntime(axon.WithLogger(slog.New(slog.DiscardHandler)))
		if err := metrics.Register(rt, reg); err != nil {
			return err
		}
		srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
		if err != nil {
			return err
		}
		ready(srv.Addr().String())
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		return rt.Run(ctx, srv)
	}, childproc.OnLine(report))
}

// Accept errors (EMFILE when descriptors run out) are counted: a server
// limited to 64 descriptors, hit by 100 clients at once.
func TestAcceptErrors(t *testing.T) {
	p := childproc.Start(t, "TestEMFILEServerProcess", emfileChild, "")
	addr := p.Addr
	counts := func() (errs, accepted float64) {
		f := strings.Fields(p.Ask(t, "report"))
		require.Len(t, f, 2, "server said %q", f)
		var err error
		errs, err = strconv.ParseFloat(f[0], 64)
		require.NoError(t, err)
		accepted, err = strconv.ParseFloat(f[1], 64)
		require.NoError(t, err)
		return errs, accepted
	}

	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		})
	}
	wg.Wait()
	var errs, accepted float64
	ok := assert.Eventually(t, func() bool {
		errs, accepted = counts()
		return errs >= 1
	}, 30*time.Second, 10*time.Millisecond)
	require.True(t, ok, "no accept error counted (%v accepted)", accepted)
	assert.Less(t, accepted, 100.0, "64 descriptors cannot hold 100 connections")
	for _, c := range conns {
		c.Close()
	}
}
