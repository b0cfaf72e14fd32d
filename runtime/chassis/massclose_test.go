package chassis_test

import (
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
)

// openFiles counts the process's open descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(es)
}

// TestMassCloseReleasesEveryConnection closes thousands of connections at
// once, as their clients go: the server closes them all, releasing their
// descriptors, within 2 s (20 s under the race detector), and answers a
// new client meanwhile. (Before,
// each connection's close notice waited for room in the server's one
// inbox and every notice handled woke all of them: quadratic, about a
// minute for 20,000. internal/bench/massclose measures 19,000 against the
// standard library's server; docs/benchmarks.md has the figures.)
func TestMassCloseReleasesEveryConnection(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc to count descriptors")
	}
	const n = 3000
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	addr := srv.Addr().String()
	before := openFiles(t)

	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for k := range 32 {
		wg.Go(func() {
			for i := k; i < n; i += 32 {
				c, err := net.DialTimeout("tcp", addr, deadline)
				if err != nil {
					errs <- err
					return
				}
				conns[i] = c
				if err := ping(c); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	require.Equal(t, n, srv.Connections())

	start := time.Now()
	for k := range 32 {
		wg.Go(func() {
			for i := k; i < n; i += 32 {
				conns[i].Close()
			}
		})
	}
	// A new client is answered while the server closes the others.
	probe, err := net.DialTimeout("tcp", addr, deadline)
	require.NoError(t, err)
	require.NoError(t, ping(probe))
	answered := time.Since(start)
	probe.Close()
	wg.Wait()

	limit := start.Add(2 * time.Second * slowdown)
	for srv.Connections() > 0 || openFiles(t) > before {
		if time.Now().After(limit) {
			t.Fatalf("%v after %d clients closed, the server holds %d connections, and the process %d descriptors (%d before)",
				2*time.Second*slowdown, n, srv.Connections(), openFiles(t), before)
		}
		time.Sleep(5 * time.Millisecond) // polling a count no event reports
	}
	t.Logf("%d connections closed and released in %v; a new client answered after %v", n, time.Since(start), answered)
}

// ping checks one echo on c.
func ping(c net.Conn) error {
	if err := c.SetDeadline(time.Now().Add(deadline)); err != nil {
		return err
	}
	msg := []byte("ping\n")
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, make([]byte, len(msg)))
	return err
}
