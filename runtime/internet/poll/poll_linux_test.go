//go:build linux

package poll_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// TestAcceptEMFILE runs out of descriptors with connections waiting:
// Accept returns a temporary error, the listener keeps working, and once
// descriptors are free again every waiting connection is accepted (B5).
func TestAcceptEMFILE(t *testing.T) {
	const clients = 3
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		// The clients' sockets are made first, and connect once no
		// descriptor is left.
		var fds []int
		for range clients {
			fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			require.NoError(t, err)
			t.Cleanup(func() { syscall.Close(fd) })
			fds = append(fds, fd)
		}

		var lim syscall.Rlimit
		require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim))
		// A limit at the lowest free descriptor number (what dup returns)
		// leaves none to allocate.
		lower := func() {
			free, err := syscall.Dup(0)
			require.NoError(t, err)
			require.NoError(t, syscall.Close(free))
			low := lim
			low.Cur = uint64(free)
			require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low))
		}
		lower()
		restored := false
		restore := func() {
			if !restored {
				restored = true
				require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim))
			}
		}
		defer restore()

		sa := &syscall.SockaddrInet4{Port: int(l.Addr().Port()), Addr: l.Addr().Addr().As4()}
		for _, fd := range fds {
			require.NoError(t, syscall.Connect(fd, sa))
		}

		sawTemporary := false
		accepted := 0
		for accepted < clients {
			c, err := l.Accept()
			switch {
			case err == nil:
				accepted++
				c.Close()
				if !restored {
					// A descriptor closed meanwhile (by the runtime, or what
					// an earlier test left closing) let it through: take
					// the limit down to the lowest free one again.
					lower()
				}
			case errors.Is(err, poll.ErrWouldBlock):
				lw.wait(poll.Readable)
			case poll.IsTemporary(err):
				require.ErrorIs(t, err, syscall.EMFILE)
				sawTemporary = true
				restore()
			default:
				t.Fatalf("Accept: %v", err)
			}
		}
		require.True(t, sawTemporary, "no EMFILE with the descriptor limit reached")
	})
}

// An epoll Accept allocates the connection and nothing else: the peer's
// address is read from the stack, not through a unix.Sockaddr.
func TestAcceptAllocatesOnlyTheConn(t *testing.T) {
	p, err := poll.NewEpoll(1)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	l, lw := listen(t, p, "127.0.0.1:0")
	const runs = 20
	for range runs + 1 { // AllocsPerRun runs once more, to warm up
		dialStd(t, l)
	}
	accepted := make([]poll.Conn, 0, runs+1)
	t.Cleanup(func() {
		for _, c := range accepted {
			c.Close()
		}
	})
	allocs := testing.AllocsPerRun(runs, func() {
		for {
			c, err := l.Accept()
			if err == nil {
				accepted = append(accepted, c)
				return
			}
			require.ErrorIs(t, err, poll.ErrWouldBlock)
			lw.wait(poll.Readable)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0, "allocations per Accept")
}
