package metrics_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/metrics"
)

const emfileChild = "KAMGEN_METRICS_EMFILE_SERVER"

// TestEMFILEServerProcess is not a test of its own: TestAcceptErrors runs
// the test binary again with it, as a server limited to 64 open files.
// It prints its address, then, for each line it reads, its count of
// accept errors and of connections accepted.
func TestEMFILEServerProcess(t *testing.T) {
	if os.Getenv(emfileChild) == "" {
		return // only in the child process
	}
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(2)
	}
	rt := axon.NewRuntime(axon.WithLogger(slog.New(slog.DiscardHandler)))
	reg := prometheus.NewRegistry()
	if err := metrics.Register(rt, reg); err != nil {
		fmt.Println("register:", err)
		os.Exit(2)
	}
	srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(2)
	}
	fmt.Println("ADDR", srv.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() {
		lines := bufio.NewScanner(os.Stdin)
		for lines.Scan() {
			mfs, err := reg.Gather()
			if err != nil {
				fmt.Println("gather:", err)
				continue
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
		cancel() // the parent closes stdin to stop us
	}()
	if err := rt.Run(ctx, srv); err != nil {
		fmt.Println("run:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Accept errors (EMFILE when descriptors run out) are counted: a server
// limited to 64 descriptors, hit by 100 clients at once.
func TestAcceptErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestEMFILEServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), emfileChild+"=1")
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the server printed nothing")
	addr, ok := strings.CutPrefix(lines.Text(), "ADDR ")
	require.True(t, ok, "server said %q", lines.Text())
	counts := func() (errs, accepted float64) {
		_, err := io.WriteString(stdin, "report\n")
		require.NoError(t, err)
		require.True(t, lines.Scan(), "the server stopped")
		f := strings.Fields(lines.Text())
		require.Len(t, f, 2, "server said %q", lines.Text())
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
	ok = assert.Eventually(t, func() bool {
		errs, accepted = counts()
		return errs >= 1
	}, 30*time.Second, 10*time.Millisecond)
	require.True(t, ok, "no accept error counted (%v accepted)", accepted)
	assert.Less(t, accepted, 100.0, "64 descriptors cannot hold 100 connections")
	for _, c := range conns {
		c.Close()
	}
}
