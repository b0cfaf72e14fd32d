// Command holdconns opens idle connections to an echo server on the
// loopback and holds them: the crowd a benchmark measures a server in.
// It sends 64 bytes on each and waits for the echo, so that the server has
// served every connection, prints one line ("holding N connections"), and
// holds them until it is signalled (SIGINT, SIGTERM).
//
//	holdconns -addr 127.0.0.1:1500 -conns 10000 &
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "", "echo server address (loopback only)")
	n := flag.Int("conns", 10000, "connections to open")
	par := flag.Int("dial-parallel", 64, "connections dialed concurrently")
	timeout := flag.Duration("timeout", 60*time.Second, "upper bound on opening and pinging every connection")
	flag.Parse()
	if ap, err := netip.ParseAddrPort(*addr); err != nil || !ap.Addr().IsLoopback() {
		fmt.Fprintln(os.Stderr, "holdconns: -addr must be a loopback address and port")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	conns, err := open(ctx, *addr, *n, *par, *timeout)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "holdconns:", err)
		os.Exit(1)
	}
	fmt.Printf("holding %d connections\n", len(conns))
	<-ctx.Done()
}

// open dials n connections, par at a time, and has 64 bytes echoed on each.
func open(ctx context.Context, addr string, n, par int, timeout time.Duration) ([]net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	conns := make([]net.Conn, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, max(par, 1))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			ping := make([]byte, 64)
			_ = c.SetDeadline(deadline)
			if _, err := c.Write(ping); err != nil {
				errs <- err
				return
			}
			if _, err := io.ReadFull(c, ping); err != nil {
				errs <- err
				return
			}
			_ = c.SetDeadline(time.Time{})
		})
	}
	wg.Wait()
	open := conns[:0]
	for _, c := range conns {
		if c != nil {
			open = append(open, c)
		}
	}
	select {
	case err := <-errs:
		return open, fmt.Errorf("%d of %d connections open; the first failure: %w", len(open), n, err)
	default:
		return open, nil
	}
}
