package chaos

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serveDeadline bounds every connection Serve accepts.
const serveDeadline = 10 * time.Second

// Serve runs a server on 127.0.0.1 written with net alone, for tests to
// put a Proxy in front of: handle serves each accepted connection on a
// goroutine of its own, within 10 s. It returns the server's address;
// when the test ends, the listener and the connections are closed and the
// handlers waited for.
func Serve(t testing.TB, handle func(c *net.TCPConn)) string {
	t.Helper()
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("chaos: Serve: %v", err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []*net.TCPConn
	)
	wg.Go(func() {
		for {
			c, err := ln.AcceptTCP()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			_ = c.SetDeadline(time.Now().Add(serveDeadline))
			wg.Go(func() {
				defer c.Close()
				handle(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// Echo is a handler for Serve: it sends back what it reads, counting its
// reads in reads if not nil, and passes an EOF on as a half-close.
func Echo(reads *atomic.Int64) func(c *net.TCPConn) {
	return func(c *net.TCPConn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if reads != nil {
					reads.Add(1)
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
			if err == io.EOF {
				_ = c.CloseWrite()
				return
			}
			if err != nil {
				return
			}
		}
	}
}
