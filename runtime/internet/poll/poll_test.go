package poll_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestListenAddr(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		addrs := []string{"127.0.0.1:0"}
		if hasIPv6(t) {
			addrs = append(addrs, "[::1]:0")
		}
		for _, address := range addrs {
			t.Run(address, func(t *testing.T) {
				l, err := p.Listen("tcp", address, poll.ListenConfig{})
				require.NoError(t, err)
				defer l.Close()
				want := netip.MustParseAddrPort(address).Addr()
				assert.Equal(t, want, l.Addr().Addr())
				assert.NotZero(t, l.Addr().Port())

				// The port is taken: the bind error is returned (B6).
				_, err = p.Listen("tcp", l.Addr().String(), poll.ListenConfig{})
				require.Error(t, err)
				assert.ErrorIs(t, err, syscall.EADDRINUSE)

				// And it is a real listener.
				c := dialStd(t, l)
				assert.Equal(t, l.Addr().String(), c.RemoteAddr().String())
			})
		}
	})
}

func TestListenErrors(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		for _, tc := range []struct{ network, address string }{
			{"udp", "127.0.0.1:0"},
			{"tcp", "127.0.0.1"},
			{"tcp", "127.0.0.1:http-not-a-port"},
			{"tcp6", "127.0.0.1:0"},
			{"tcp", "192.0.2.1:0"}, // TEST-NET-1: not an address of this host
		} {
			l, err := p.Listen(tc.network, tc.address, poll.ListenConfig{})
			if !assert.Error(t, err, "%s %s", tc.network, tc.address) {
				l.Close()
			}
		}
	})
}

func TestListenWildcard(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, err := p.Listen("tcp", ":0", poll.ListenConfig{Backlog: 16})
		require.NoError(t, err)
		defer l.Close()
		assert.True(t, l.Addr().Addr().IsUnspecified(), "%v", l.Addr())
		lw := newWatcher(t)
		require.NoError(t, l.Watch(lw))

		targets := []string{fmt.Sprintf("127.0.0.1:%d", l.Addr().Port())}
		if hasIPv6(t) && l.Addr().Addr().Is6() {
			targets = append(targets, fmt.Sprintf("[::1]:%d", l.Addr().Port()))
		}
		for _, target := range targets {
			client, err := net.DialTimeout("tcp", target, waitLimit)
			require.NoError(t, err)
			defer client.Close()
			c, _ := accept(t, l, lw)
			// Addresses are plain (IPv4 clients are not IPv4-mapped).
			assert.Equal(t, client.LocalAddr().String(), c.RemoteAddr().String())
			assert.Equal(t, client.RemoteAddr().String(), c.LocalAddr().String())
		}
	})
}

// TestReuseAddr restarts a listener on its port while the server side of
// an old connection is in TIME_WAIT (the server closed first).
func TestReuseAddr(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		addr := l.Addr().String()
		client := dialStd(t, l)
		c, w := accept(t, l, lw)
		writeAll(t, c, w, []byte("bye"))
		require.NoError(t, c.Close())
		got, err := io.ReadAll(client)
		require.NoError(t, err)
		assert.Equal(t, "bye", string(got))
		require.NoError(t, client.Close())
		require.NoError(t, l.Close())

		l2, err := p.Listen("tcp", addr, poll.ListenConfig{})
		require.NoError(t, err, "rebinding over TIME_WAIT")
		l2.Close()
	})
}

func TestAccept(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		_, err := l.Accept()
		require.ErrorIs(t, err, poll.ErrWouldBlock)

		client := dialStd(t, l)
		lw.wait(poll.Readable)
		c, err := l.Accept()
		require.NoError(t, err)
		defer c.Close()
		assert.Equal(t, client.LocalAddr().String(), c.RemoteAddr().String())
		assert.Equal(t, l.Addr(), c.LocalAddr())
		_, err = l.Accept()
		require.ErrorIs(t, err, poll.ErrWouldBlock)
	})
}

// TestAcceptBurst connects 200 clients at once; draining Accept on each
// Readable takes them all (L3).
func TestAcceptBurst(t *testing.T) {
	const clients = 200
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		var wg sync.WaitGroup
		errc := make(chan error, clients)
		conns := make(chan net.Conn, clients)
		for range clients {
			wg.Go(func() {
				c, err := net.DialTimeout("tcp", l.Addr().String(), waitLimit)
				if err != nil {
					errc <- err
					return
				}
				conns <- c
			})
		}
		var accepted []poll.Conn
		for len(accepted) < clients {
			lw.wait(poll.Readable)
			for {
				c, err := l.Accept()
				if errors.Is(err, poll.ErrWouldBlock) {
					break
				}
				require.NoError(t, err)
				accepted = append(accepted, c)
			}
		}
		wg.Wait()
		close(errc)
		close(conns)
		require.NoError(t, <-errc)
		for c := range conns {
			c.Close()
		}
		for _, c := range accepted {
			require.NoError(t, c.Close())
		}
	})
}

// TestEcho echoes 1 MiB both ways at once, through the test's echo state
// machine, with a standard client.
func TestEcho(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		stop := make(chan struct{})
		defer close(stop)
		errc := make(chan error, 1)
		go func() { errc <- echo(c, w, stop) }()
		require.NoError(t, stdRoundTrip(client, pattern(1, 1<<20)))
		require.NoError(t, <-errc)
	})
}

// TestEchoMany runs 40 echo connections at once.
func TestEchoMany(t *testing.T) {
	const conns = 40
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		stop := make(chan struct{})
		defer close(stop)
		var wg sync.WaitGroup
		errs := make(chan error, 2*conns)
		for i := range conns {
			client := dialStd(t, l)
			c, w := accept(t, l, lw)
			wg.Go(func() { errs <- echo(c, w, stop) })
			wg.Go(func() { errs <- stdRoundTrip(client, pattern(i, 128<<10+i)) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
}

// TestDialEcho runs both ends on the Poller: a dialled Conn sends 1 MiB in
// assorted Writev batches through an echo Conn, both state machines.
func TestDialEcho(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		for _, host := range []string{"127.0.0.1", "[::1]", "localhost"} {
			t.Run(host, func(t *testing.T) {
				if host == "[::1]" && !hasIPv6(t) {
					t.Skip("no IPv6")
				}
				l, lw := listen(t, p, host+":0")
				c, err := p.Dial(ctxTimeout(t), "tcp", l.Addr().String())
				require.NoError(t, err)
				defer c.Close()
				assert.Equal(t, l.Addr(), c.RemoteAddr())
				cw := newWatcher(t)
				require.NoError(t, c.Watch(cw))
				s, sw := accept(t, l, lw)
				assert.Equal(t, c.LocalAddr(), s.RemoteAddr())
				assert.Equal(t, c.RemoteAddr(), s.LocalAddr())

				stop := make(chan struct{})
				defer close(stop)
				errc := make(chan error, 1)
				go func() { errc <- echo(s, sw, stop) }()
				want := pattern(3, 1<<20)
				got, err := shuttle(c, cw, want, stop)
				require.NoError(t, err)
				require.NoError(t, <-errc)
				require.True(t, bytes.Equal(want, got), "echoed bytes differ")
			})
		}
	})
}

// TestEdgeTriggered: after Read returns ErrWouldBlock, every new arrival
// brings a new Ready(Readable). Thousands of rounds catch a lost wake-up.
func TestEdgeTriggered(t *testing.T) {
	const rounds = 2000
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		buf := make([]byte, 4096)
		for r := range rounds {
			msg := pattern(r, 1+r%300)
			_, err := client.Write(msg)
			require.NoError(t, err)
			var got []byte
			for {
				n, err := c.Read(buf)
				got = append(got, buf[:n]...)
				if errors.Is(err, poll.ErrWouldBlock) {
					if len(got) == len(msg) {
						break
					}
					w.wait(poll.Readable)
					continue
				}
				require.NoError(t, err)
			}
			require.Equal(t, msg, got, "round %d", r)
		}
	})
}

// TestWritevBuffers writes many small buffers, more than IOV_MAX, with
// empty ones among them, and large ones that the socket takes in part.
func TestWritevBuffers(t *testing.T) {
	cases := []struct {
		name  string
		count int
		size  func(i int) int
	}{
		{"small", 100, func(i int) int { return 1 + i%13 }},
		{"over IOV_MAX", 3000, func(i int) int { return i % 17 }}, // with empties
		{"partial", 2500, func(i int) int { return 1000 + i%3 }},
		{"huge", 4, func(i int) int { return 1 << 20 }},
	}
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c, w, client := pair(t, p)
				var bufs [][]byte
				var want []byte
				for i := range tc.count {
					b := pattern(i, tc.size(i))
					bufs = append(bufs, b)
					want = append(want, b...)
				}
				type result struct {
					b   []byte
					err error
				}
				res := make(chan result, 1)
				go func() {
					b, err := io.ReadAll(client)
					res <- result{b, err}
				}()
				writeAll(t, c, w, bufs...)
				require.NoError(t, c.CloseWrite())
				r := <-res
				require.NoError(t, r.err)
				require.True(t, bytes.Equal(want, r.b), "got %d bytes, want %d", len(r.b), len(want))
			})
		}
	})
}

// TestWritevCopies checks that the caller may reuse its buffers as soon as
// Writev returns.
func TestWritevCopies(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		buf := make([]byte, 100)
		var want []byte
		for i := range 50 {
			copy(buf, pattern(i, len(buf)))
			want = append(want, buf...)
			writeAll(t, c, w, buf)
		}
		require.NoError(t, c.CloseWrite())
		got, err := io.ReadAll(client)
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
}

// TestBackpressure fills a connection whose peer does not read until
// Writev refuses, then lets the peer read: Ready(Writable) follows, and
// nothing is lost. Several rounds.
func TestBackpressure(t *testing.T) {
	const rounds = 5
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		chunk := make([]byte, 64<<10)
		sent, read := 0, 0
		for r := range rounds {
			// Fill. Writable seen before a write is stale; what comes
			// after the write that refused must not be dropped (the
			// portable Poller's writer may make room at once).
			for {
				copy(chunk, pattern(sent, len(chunk)))
				w.take(poll.Writable)
				n, err := c.Writev([][]byte{chunk})
				sent += n
				if errors.Is(err, poll.ErrWouldBlock) {
					break
				}
				require.NoError(t, err)
				require.Less(t, sent, 1<<30, "Writev never refused")
			}
			// Drain on the peer, then expect Writable.
			drained := make(chan error, 1)
			go func(from, n int) {
				buf := make([]byte, n)
				_, err := io.ReadFull(client, buf)
				if err == nil && !bytes.Equal(buf, pattern(from, n)) {
					err = fmt.Errorf("round %d: bytes differ", r)
				}
				drained <- err
			}(read, sent-read)
			w.wait(poll.Writable)
			require.NoError(t, <-drained)
			read = sent
		}
	})
}

// TestHalfClose: a peer's FIN shows as data then io.EOF, and the other
// direction still works; and the other way round.
func TestHalfClose(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		t.Run("peer closes first", func(t *testing.T) {
			c, w, client := pair(t, p)
			_, err := client.Write([]byte("hello"))
			require.NoError(t, err)
			require.NoError(t, client.CloseWrite())
			assert.Equal(t, "hello", string(readToEOF(t, c, w)))
			_, err = c.Read(make([]byte, 10))
			assert.Equal(t, io.EOF, err, "EOF again")

			writeAll(t, c, w, []byte("still "), []byte("here"))
			require.NoError(t, c.CloseWrite())
			got, err := io.ReadAll(client)
			require.NoError(t, err)
			assert.Equal(t, "still here", string(got))
		})
		t.Run("we close first", func(t *testing.T) {
			c, w, client := pair(t, p)
			writeAll(t, c, w, []byte("request"))
			require.NoError(t, c.CloseWrite())
			got, err := io.ReadAll(client)
			require.NoError(t, err)
			assert.Equal(t, "request", string(got))

			_, err = client.Write([]byte("late reply"))
			require.NoError(t, err)
			require.NoError(t, client.CloseWrite())
			assert.Equal(t, "late reply", string(readToEOF(t, c, w)))
		})
	})
}

// TestPeerReset: a client that resets (SO_LINGER 0) makes Read or Writev
// return ECONNRESET or EPIPE, not a panic, and the Poller serves the
// others on.
func TestPeerReset(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		for i := range 10 {
			client := dialStd(t, l)
			c, w := accept(t, l, lw)
			if i%2 == 0 {
				writeAll(t, c, w, pattern(i, 1000)) // unread by the client
			}
			_, err := client.Write(pattern(i, 100+i))
			require.NoError(t, err)
			require.NoError(t, client.SetLinger(0))
			require.NoError(t, client.Close())

			// Read until the reset (or EOF) shows, then write until
			// the write fails.
			var readErr, writeErr error
			buf := make([]byte, 4096)
			for readErr == nil {
				_, err := c.Read(buf)
				switch {
				case err == nil:
				case errors.Is(err, poll.ErrWouldBlock):
					w.wait(poll.Readable)
				default:
					readErr = err
				}
			}
			for writeErr == nil {
				_, err := c.Writev([][]byte{buf})
				switch {
				case err == nil:
					w.wait(poll.Writable | poll.Readable)
				case errors.Is(err, poll.ErrWouldBlock):
					w.wait(poll.Writable)
				default:
					writeErr = err
				}
			}
			assert.True(t, isReset(readErr) || isReset(writeErr),
				"read: %v; write: %v", readErr, writeErr)
			require.NoError(t, c.Close())
		}

		// The Poller still serves.
		stop := make(chan struct{})
		defer close(stop)
		client := dialStd(t, l)
		c, w := accept(t, l, lw)
		errc := make(chan error, 1)
		go func() { errc <- echo(c, w, stop) }()
		require.NoError(t, stdRoundTrip(client, pattern(0, 10000)))
		require.NoError(t, <-errc)
	})
}

// TestPendingErrorAfterReset: an owner that has taken everything and then
// stops reading (its handler is full) learns of the peer's reset from
// PendingError, without reading: on the portable Poller too, whose reader
// goroutine has read the reset already (the socket holds it no more).
func TestPendingErrorAfterReset(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		for i := range 20 {
			client := dialStd(t, l)
			c, w := accept(t, l, lw)
			msg := pattern(i, 100)
			_, err := client.Write(msg)
			require.NoError(t, err)
			require.Equal(t, msg, readN(t, c, w, len(msg)))
			require.NoError(t, poll.PendingError(c), "no error before the reset")
			require.NoError(t, client.SetLinger(0))
			require.NoError(t, client.Close())
			// Wait for the reset, which nothing reads: a Readable left from
			// the message may come first.
			for err == nil {
				w.wait(poll.Readable)
				err = poll.PendingError(c)
			}
			assert.True(t, isReset(err), "PendingError after a reset: %v", err)
			require.NoError(t, c.Close())
		}
	})
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// TestWatchTwice: a second Watch is an error, for listeners and
// connections (B15: no silent "first registration wins").
func TestWatchTwice(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		assert.Error(t, l.Watch(newWatcher(t)))
		dialStd(t, l)
		c, _ := accept(t, l, lw)
		assert.Error(t, c.Watch(newWatcher(t)))
	})
}

// TestClose: operations on a closed socket return ErrClosed, and Close
// twice too.
func TestClose(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, _ := pair(t, p)
		require.NoError(t, c.Close())
		w.closed.Store(true)
		assert.ErrorIs(t, c.Close(), poll.ErrClosed)
		_, err := c.Read(make([]byte, 1))
		assert.ErrorIs(t, err, poll.ErrClosed)
		_, err = c.Writev([][]byte{[]byte("x")})
		assert.ErrorIs(t, err, poll.ErrClosed)
		assert.ErrorIs(t, c.CloseWrite(), poll.ErrClosed)
		assert.ErrorIs(t, c.Watch(newWatcher(t)), poll.ErrClosed)

		l, err := p.Listen("tcp", "127.0.0.1:0", poll.ListenConfig{})
		require.NoError(t, err)
		require.NoError(t, l.Close())
		assert.ErrorIs(t, l.Close(), poll.ErrClosed)
		_, err = l.Accept()
		assert.ErrorIs(t, err, poll.ErrClosed)
	})
}

// TestNoReadyAfterClose closes connections while their peers send as fast
// as they can: once Close has returned, Ready is never called (the
// watcher fails the test if it is).
func TestNoReadyAfterClose(t *testing.T) {
	const conns = 30
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		var senders sync.WaitGroup
		var readers sync.WaitGroup
		for i := range conns {
			client := dialStd(t, l)
			senders.Go(func() {
				chunk := pattern(i, 8192)
				for {
					if _, err := client.Write(chunk); err != nil {
						return
					}
				}
			})
			c, w := accept(t, l, lw)
			readers.Go(func() {
				buf := make([]byte, 4096)
				// Read a different amount on each, then close mid-stream
				// with events flowing.
				for read := 0; read < 10000*(i+1); {
					n, err := c.Read(buf)
					read += n
					if errors.Is(err, poll.ErrWouldBlock) {
						if _, ok := w.waitOr(poll.Readable, nil); !ok {
							t.Errorf("conn %d: no Readable", i)
							break
						}
					} else if err != nil {
						t.Errorf("conn %d: %v", i, err)
						break
					}
				}
				if err := c.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				w.closed.Store(true)
				client.Close() // stops the sender
			})
		}
		readers.Wait()
		senders.Wait()
	})
}

// TestNoStaleEvents closes a connection with data arriving and accepts
// another at once (its descriptor number is likely the same): the old
// watcher is never called again and the new connection sees only its own
// data.
func TestNoStaleEvents(t *testing.T) {
	const rounds = 100
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		l, lw := listen(t, p, "127.0.0.1:0")
		for r := range rounds {
			oldClient := dialStd(t, l)
			old, oldW := accept(t, l, lw)
			_, err := oldClient.Write(pattern(r, 5000))
			require.NoError(t, err)
			newClient := dialStd(t, l)
			// Wait for data to be there so an event is pending or in
			// flight, then close.
			oldW.wait(poll.Readable)
			require.NoError(t, old.Close())
			oldW.closed.Store(true)
			go oldClient.Write(pattern(r, 5000)) // more, after the close

			c, w := accept(t, l, lw)
			msg := []byte(fmt.Sprintf("round %d", r))
			_, err = newClient.Write(msg)
			require.NoError(t, err)
			require.Equal(t, msg, readN(t, c, w, len(msg)))
			require.NoError(t, c.Close())
			w.closed.Store(true)
			oldClient.Close()
			newClient.Close()
		}
	})
}

func TestDial(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		t.Run("refused", func(t *testing.T) {
			// A port that was just free.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ln.Close()
			start := time.Now()
			_, err = p.Dial(ctxTimeout(t), "tcp", addr)
			require.Error(t, err)
			assert.ErrorIs(t, err, syscall.ECONNREFUSED)
			assert.Less(t, time.Since(start), waitLimit)
		})
		t.Run("cancelled", func(t *testing.T) {
			l, _ := listen(t, p, "127.0.0.1:0")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := p.Dial(ctx, "tcp", l.Addr().String())
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
		})
		t.Run("bad address", func(t *testing.T) {
			for _, tc := range []struct{ network, address string }{
				{"udp", "127.0.0.1:1"},
				{"tcp", "127.0.0.1"},
				{"tcp4", "[::1]:1"},
			} {
				c, err := p.Dial(ctxTimeout(t), tc.network, tc.address)
				if !assert.Error(t, err, "%s %s", tc.network, tc.address) {
					c.Close()
				}
			}
		})
		t.Run("data before Watch", func(t *testing.T) {
			// The server speaks first, before the client watches: the
			// data is not lost and Watch reports it.
			l, lw := listen(t, p, "127.0.0.1:0")
			c, err := p.Dial(ctxTimeout(t), "tcp", l.Addr().String())
			require.NoError(t, err)
			defer c.Close()
			s, sw := accept(t, l, lw)
			writeAll(t, s, sw, []byte("banner"))
			require.NoError(t, s.CloseWrite())
			w := newWatcher(t)
			require.NoError(t, c.Watch(w))
			assert.Equal(t, "banner", string(readToEOF(t, c, w)))
		})
	})
}

// TestPollerClose: Close closes the sockets still open, stops every
// goroutine (goleak checks at the end), and may be called again.
func TestPollerClose(t *testing.T) {
	for _, pc := range pollerCases() {
		t.Run(pc.name, func(t *testing.T) {
			p, err := pc.new()
			if err != nil {
				t.Skip(err)
			}
			l, lw := listen(t, p, "127.0.0.1:0")
			client := dialStd(t, l)
			s, sw := accept(t, l, lw)
			d, err := p.Dial(ctxTimeout(t), "tcp", l.Addr().String())
			require.NoError(t, err)
			dw := newWatcher(t)
			require.NoError(t, d.Watch(dw))
			go client.Write(pattern(0, 100000))

			require.NoError(t, p.Close())
			for _, w := range []*watcher{lw, sw, dw} {
				w.closed.Store(true)
			}
			require.NoError(t, p.Close(), "Close is idempotent")

			_, err = l.Accept()
			assert.ErrorIs(t, err, poll.ErrClosed)
			_, err = s.Read(make([]byte, 10))
			assert.ErrorIs(t, err, poll.ErrClosed)
			assert.ErrorIs(t, d.Close(), poll.ErrClosed)
			_, err = p.Listen("tcp", "127.0.0.1:0", poll.ListenConfig{})
			assert.Error(t, err)
			_, err = p.Dial(ctxTimeout(t), "tcp", l.Addr().String())
			assert.Error(t, err)
			// The client sees the server side close.
			_, err = io.Copy(io.Discard, client)
			assert.True(t, err == nil || isReset(err), "%v", err)
		})
	}
}

func TestDefault(t *testing.T) {
	for _, kind := range []string{"", "portable", "epoll"} {
		t.Run("KAMGEN_POLLER="+kind, func(t *testing.T) {
			t.Setenv("KAMGEN_POLLER", kind)
			p, err := poll.Default()
			if kind == "epoll" && err != nil {
				t.Skip(err)
			}
			require.NoError(t, err)
			require.NoError(t, p.Close())
		})
	}
	t.Setenv("KAMGEN_POLLER", "kqueue")
	_, err := poll.Default()
	assert.Error(t, err)
}

func TestIsTemporary(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{syscall.EMFILE, true},
		{syscall.ENFILE, true},
		{syscall.ECONNABORTED, true},
		{syscall.ENOBUFS, true},
		{syscall.ENOMEM, true},
		{syscall.EINTR, true},
		{&net.OpError{Op: "accept", Err: fmt.Errorf("accept4: %w", syscall.EMFILE)}, true},
		{syscall.EBADF, false},
		{syscall.EINVAL, false},
		{poll.ErrWouldBlock, false},
		{poll.ErrClosed, false},
		{nil, false},
	} {
		assert.Equal(t, tc.want, poll.IsTemporary(tc.err), "%v", tc.err)
	}
}

// TestWrapConn runs a poll.Conn over net.Pipe, which has no descriptor
// (the way a *tls.Conn is made a poll.Conn).
func TestWrapConn(t *testing.T) {
	a, b := net.Pipe()
	ca, cb := poll.WrapConn(a), poll.WrapConn(b)
	wa, wb := newWatcher(t), newWatcher(t)
	require.NoError(t, ca.Watch(wa))
	require.NoError(t, cb.Watch(wb))
	writeAll(t, ca, wa, []byte("over "), []byte("the pipe"))
	assert.Equal(t, "over the pipe", string(readN(t, cb, wb, 13)))
	// More than both ends buffer: the writer must wait for the reader.
	errc := make(chan error, 1)
	go func() { errc <- writeAllErr(cb, wb, pattern(0, 300000)) }()
	assert.Equal(t, pattern(0, 300000), readN(t, ca, wa, 300000))
	require.NoError(t, <-errc)
	assert.Error(t, ca.CloseWrite(), "net.Pipe has no CloseWrite")
	require.NoError(t, ca.Close())
	wa.closed.Store(true)
	assert.Equal(t, io.EOF, readErr(t, cb, wb))
	require.NoError(t, cb.Close())
	wb.closed.Store(true)
}

func readErr(t *testing.T, c poll.Conn, w *watcher) error {
	t.Helper()
	buf := make([]byte, 1024)
	for {
		_, err := c.Read(buf)
		switch {
		case err == nil:
		case errors.Is(err, poll.ErrWouldBlock):
			w.wait(poll.Readable)
		default:
			return err
		}
	}
}
