package chassis_test

import (
	"errors"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
)

// liveHeap returns the bytes of live heap after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestNonReadingClientsStayWithinTheBudget: 1,000 clients of an echo
// server send until the server stops taking their bytes, and never read.
// The server stops reading them (their writes stall), a client that reads
// is still served, and each connection holds at most what docs/network.md
// says: its byte budget
// (internet.DefaultBudget, 64 KiB) and a message over each share, one
// read and one turn of its handler's output, about 350 KiB, plus the
// portable Selector's 32 KiB read buffer. Without a budget in bytes, an
// echo connection held about 1.7 MB.
func TestNonReadingClientsStayWithinTheBudget(t *testing.T) {
	n := 1000
	if slowdown > 1 {
		n = 300 // the race detector: the same bound per connection, fewer of them
	}
	grown := nonReaders(t, n, internet.ConnOptions{CloseTimeout: 100 * time.Millisecond})
	assert.Less(t, grown/int64(n), int64(400<<10), "a connection holds more than its budget")
}

// TestServerBudgetBoundsEveryConnectionTogether: with a per-connection
// budget of 4 MiB, which alone lets each of 1,000 clients that never read
// grow the server by 300-900 KiB (as far as they get before their writes
// stall), a server budget of 4 MiB stops the server reading them and
// taking their handlers' output once they hold 4 MiB together: the server
// grows by 4 MiB and, for each connection, what one message allowed in
// each queue holds (a read of up to 64 KiB waiting for the handler, a
// reply waiting to be written) and its components: under 256 KiB a
// connection (30-150 KiB measured), while a client that reads is still
// served. The portable Selector's reader goroutine holds up to two reads
// of 32 KiB more (279 KiB measured under the race detector): under 384
// KiB there.
//
// The bound is absolute, not a ratio to a run without the server budget:
// how far that run gets depends on how fast the server reads before the
// clients' writes stall, which a loaded machine slows.
func TestServerBudgetBoundsEveryConnectionTogether(t *testing.T) {
	n := 1000
	if slowdown > 1 {
		n = 300
	}
	perConn := int64(256 << 10)
	if portable() {
		perConn = 384 << 10
	}
	opts := internet.ConnOptions{CloseTimeout: 100 * time.Millisecond, Budget: 4 << 20, ServerBudget: 4 << 20}
	grown := nonReaders(t, n, opts)
	assert.Less(t, grown, int64(opts.ServerBudget)+int64(n)*perConn, "the server budget does not bound the connections together")
}

// portable reports whether the tests run on the portable Selector.
func portable() bool {
	return os.Getenv("KAMGEN_POLLER") == "portable" || runtime.GOOS != "linux"
}

// nonReaders runs n clients of an echo server made with opts that send
// until the server stops taking their bytes and never read, checks that a
// client that reads is served meanwhile, and returns how much the live
// heap grew.
func nonReaders(t *testing.T, n int, opts internet.ConnOptions) int64 {
	t.Helper()
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{Conn: opts})
	addr := srv.Addr().String()
	before := liveHeap()

	chunk := make([]byte, 16<<10)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var written int64
	var errs []error
	conns := make([]*net.TCPConn, n)
	for i := range n {
		c, err := net.DialTimeout("tcp", addr, deadline)
		require.NoError(t, err)
		conns[i] = c.(*net.TCPConn)
		// Small client buffers, so that the server's own queues, not the
		// kernel's, hold what it cannot send.
		require.NoError(t, conns[i].SetReadBuffer(16<<10))
		require.NoError(t, conns[i].SetWriteBuffer(16<<10))
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for _, c := range conns {
		wg.Go(func() {
			total := 0
			defer func() {
				mu.Lock()
				written += int64(total)
				mu.Unlock()
			}()
			for total < 64<<20 {
				// A write that takes nothing for 500 ms: the server has
				// stopped reading this client.
				if err := c.SetWriteDeadline(time.Now().Add(500 * time.Millisecond * slowdown)); err != nil {
					return
				}
				k, err := c.Write(chunk)
				total += k
				if err != nil {
					var ne net.Error
					if !errors.As(err, &ne) || !ne.Timeout() {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
					return
				}
			}
			mu.Lock()
			errs = append(errs, errors.New("a client wrote 64 MiB without stalling"))
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	grown := int64(liveHeap()) - int64(before)
	t.Logf("%d clients that never read wrote %d MiB in all; the live heap grew %d MiB, %d KiB a connection",
		n, written>>20, grown>>20, grown/int64(n)>>10)
	assert.Equal(t, n, srv.Connections())

	// A client that reads is served meanwhile.
	c := dial(t, srv)
	for range 10 {
		roundTrip(t, c, "still served\n")
	}
	return grown
}
