package poll_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// TestDetach hands a connection over in the middle of both streams: the
// owner has read part of what the peer sent and has just written more than
// the portable writer buffers. Every byte written through the Conn reaches
// the peer, every byte not yet read through it comes out of the net.Conn,
// in order, and the connection lives on both ways: closing the Conn's own
// descriptor (epoll) neither reset it nor dropped its unread input.
func TestDetach(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		in := pattern(1, 100000)
		sent := make(chan error, 1)
		go func() {
			_, err := client.Write(in)
			sent <- err
		}()
		require.Equal(t, in[:1000], readN(t, c, w, 1000))

		out := pattern(2, 300000)
		received := make(chan []byte, 1)
		go func() {
			buf := make([]byte, len(out))
			n, _ := io.ReadFull(client, buf)
			received <- buf[:n]
		}()
		writeAll(t, c, w, out[:100000], out[100000:])

		nc, err := poll.Detach(c)
		require.NoError(t, err)
		w.closed.Store(true) // no Ready once Detach has returned
		defer nc.Close()
		require.NoError(t, nc.SetDeadline(time.Now().Add(waitLimit)))

		assert.Equal(t, out, <-received, "what the Conn took was all written")
		rest := make([]byte, len(in)-1000)
		_, err = io.ReadFull(nc, rest)
		require.NoError(t, err)
		assert.Equal(t, in[1000:], rest, "what the Conn had not returned comes out of the net.Conn")
		require.NoError(t, <-sent)

		// The Conn is closed for its owner.
		_, err = c.Read(make([]byte, 10))
		assert.ErrorIs(t, err, poll.ErrClosed)
		_, err = c.Writev([][]byte{[]byte("x")})
		assert.ErrorIs(t, err, poll.ErrClosed)
		assert.ErrorIs(t, c.CloseWrite(), poll.ErrClosed)
		assert.ErrorIs(t, c.Close(), poll.ErrClosed)
		_, err = poll.Detach(c)
		assert.ErrorIs(t, err, poll.ErrClosed, "detached twice")

		// The connection itself lives on, both ways, and ends cleanly.
		_, err = nc.Write([]byte("after"))
		require.NoError(t, err)
		got := make([]byte, 5)
		_, err = io.ReadFull(client, got)
		require.NoError(t, err)
		assert.Equal(t, "after", string(got))
		_, err = client.Write([]byte("more"))
		require.NoError(t, err)
		got = got[:4]
		_, err = io.ReadFull(nc, got)
		require.NoError(t, err)
		assert.Equal(t, "more", string(got))
		require.NoError(t, nc.(interface{ CloseWrite() error }).CloseWrite())
		tail, err := io.ReadAll(client)
		require.NoError(t, err, "a clean end, not a reset")
		assert.Empty(t, tail)
	})
}

// TestDetachIdle hands over a connection on which nothing flowed yet: the
// net.Conn is the connection itself, and the peer's first bytes, sent
// after Detach, arrive there.
func TestDetachIdle(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, client := pair(t, p)
		nc, err := poll.Detach(c)
		require.NoError(t, err)
		w.closed.Store(true)
		defer nc.Close()
		require.NoError(t, nc.SetDeadline(time.Now().Add(waitLimit)))
		assert.Equal(t, client.LocalAddr().String(), nc.RemoteAddr().String())
		_, err = client.Write([]byte("hello"))
		require.NoError(t, err)
		got := make([]byte, 5)
		_, err = io.ReadFull(nc, got)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(got))
		// The peer's FIN before anything was read is EOF, as on any socket.
		require.NoError(t, client.CloseWrite())
		_, err = nc.Read(got)
		assert.Equal(t, io.EOF, err)
	})
}

// TestDetachGivesUpOnClose: a Detach that waits for a peer that does not
// read (the portable writer still holds bytes) ends when another goroutine
// closes the Conn; it never hangs. Whichever wins, nothing leaks.
func TestDetachGivesUpOnClose(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, _ := pair(t, p) // the client never reads
		chunk := pattern(3, 64<<10)
		for {
			_, err := c.Writev([][]byte{chunk})
			if errors.Is(err, poll.ErrWouldBlock) {
				break
			}
			require.NoError(t, err)
		}
		done := make(chan error, 1)
		go func() {
			nc, err := poll.Detach(c)
			if nc != nil {
				nc.Close()
			}
			done <- err
		}()
		closeErr := c.Close()
		w.closed.Store(true)
		select {
		case err := <-done:
			if err != nil {
				assert.ErrorIs(t, err, poll.ErrClosed)
			} else {
				assert.ErrorIs(t, closeErr, poll.ErrClosed, "Detach won: the Close found the Conn closed")
			}
		case <-time.After(waitLimit):
			t.Fatal("Detach still waits after Close")
		}
	})
}

// TestDetachErrors: a closed Conn, and a Conn of another package.
func TestDetachErrors(t *testing.T) {
	forEachPoller(t, func(t *testing.T, p poll.Poller) {
		c, w, _ := pair(t, p)
		require.NoError(t, c.Close())
		w.closed.Store(true)
		_, err := poll.Detach(c)
		assert.ErrorIs(t, err, poll.ErrClosed)
	})
	_, err := poll.Detach(foreignConn{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "NewEpoll, NewPortable and WrapConn")
}

// TestDetachWrapConn hands over a WrapConn over net.Pipe whose reader had
// read more than its owner took: the rest comes first out of the net.Conn,
// then what the peer sends next.
func TestDetachWrapConn(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	ca := poll.WrapConn(a)
	wa := newWatcher(t)
	require.NoError(t, ca.Watch(wa))
	go b.Write([]byte("hello world"))
	assert.Equal(t, "hello", string(readN(t, ca, wa, 5)))
	nc, err := poll.Detach(ca)
	require.NoError(t, err)
	wa.closed.Store(true)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(waitLimit)))
	go b.Write([]byte("!"))
	got := make([]byte, 7)
	_, err = io.ReadFull(nc, got)
	require.NoError(t, err)
	assert.Equal(t, " world!", string(got))
	w, ok := nc.(interface{ NetConn() net.Conn })
	require.True(t, ok, "%T", nc)
	assert.Same(t, a, w.NetConn())
	assert.Error(t, nc.(interface{ CloseWrite() error }).CloseWrite(), "net.Pipe has no CloseWrite")
}

// foreignConn is a poll.Conn that Detach does not know.
type foreignConn struct{ poll.Conn }
