package chaos_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/chaos"
)

// deadline bounds every wait of a test.
const deadline = 10 * time.Second

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, deadline)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	return c.(*net.TCPConn)
}

func random(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// send writes data then half-closes c, in a goroutine the test waits for;
// the returned function gives the write's error.
func send(t *testing.T, c *net.TCPConn, data []byte) func() error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		if err == nil {
			err = c.CloseWrite()
		}
		done <- err
	}()
	wait := sync.OnceValue(func() error {
		select {
		case err := <-done:
			return err
		case <-time.After(deadline):
			return errors.New("the write did not end")
		}
	})
	t.Cleanup(func() { c.Close(); _ = wait() })
	return wait
}

// readAll reads c to its end and counts the reads.
func readAll(c *net.TCPConn) ([]byte, int, error) {
	var got bytes.Buffer
	buf := make([]byte, 32<<10)
	reads := 0
	for {
		n, err := c.Read(buf)
		if n > 0 {
			reads++
			got.Write(buf[:n])
		}
		if err == io.EOF {
			return got.Bytes(), reads, nil
		}
		if err != nil {
			return got.Bytes(), reads, err
		}
	}
}

// Re-cut both ways, a MiB comes back byte for byte, in many reads.
func TestRecutKeepsEveryByte(t *testing.T) {
	var serverReads atomic.Int64
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(&serverReads)),
		chaos.Recut(chaos.Up, 1, 8192), chaos.Recut(chaos.Down, 2, 8192))
	c := dial(t, p.Addr())
	data := random(t, 1<<20)
	wrote := send(t, c, data)
	got, reads, err := readAll(c)
	require.NoError(t, err)
	require.NoError(t, wrote())
	assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
	// A MiB takes at least 32 reads of 32 KiB; re-cut into some 256 chunks
	// of 4 KiB on average, many more (the pauses keep them apart, unless
	// the reader falls far behind).
	assert.Greater(t, serverReads.Load(), int64(64), "reads by the server")
	assert.Greater(t, reads, 64, "reads by the client")
	assert.Equal(t, 1, p.Conns())
}

// Throttled to 64 KiB/s, 32 KiB take half a second.
func TestThrottle(t *testing.T) {
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), chaos.Throttle(chaos.Down, 64<<10))
	c := dial(t, p.Addr())
	data := random(t, 32<<10)
	start := time.Now()
	wrote := send(t, c, data)
	got, _, err := readAll(c)
	elapsed := time.Since(start)
	require.NoError(t, err)
	require.NoError(t, wrote())
	assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
	assert.GreaterOrEqual(t, elapsed, 400*time.Millisecond)
}

// A blackhole passes on its first bytes, then nothing.
func TestBlackhole(t *testing.T) {
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), chaos.Blackhole(chaos.Up, 1000))
	c := dial(t, p.Addr())
	data := random(t, 2000)
	_, err := c.Write(data)
	require.NoError(t, err)
	got := make([]byte, 1000)
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, data[:1000], got)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	n, err := c.Read(make([]byte, 10))
	assert.Zero(t, n)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "%v", err)
}

// A half-close ends what the server reads after 10 bytes; it can still
// answer.
func TestHalfClose(t *testing.T) {
	type result struct {
		got []byte
		err error
	}
	read := make(chan result, 1)
	p := chaos.Start(t, chaos.Serve(t, func(c *net.TCPConn) {
		got := make([]byte, 10)
		_, err := io.ReadFull(c, got)
		if err == nil {
			var n int
			n, err = c.Read(make([]byte, 10))
			got = append(got, make([]byte, n)...)
		}
		read <- result{got, err}
		_, _ = c.Write([]byte("pong"))
	}), chaos.HalfClose(chaos.Up, 10))
	c := dial(t, p.Addr())
	data := random(t, 100)
	_, err := c.Write(data)
	require.NoError(t, err)
	select {
	case r := <-read:
		assert.Equal(t, data[:10], r.got)
		assert.ErrorIs(t, r.err, io.EOF)
	case <-time.After(deadline):
		t.Fatal("the server read nothing")
	}
	got, _, err := readAll(c)
	require.NoError(t, err)
	assert.Equal(t, "pong", string(got))
}

// A reset after 5000 bytes down gives the client those bytes, then an
// error or EOF.
func TestResetDown(t *testing.T) {
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), chaos.ResetAt(chaos.Down, 5000))
	c := dial(t, p.Addr())
	wrote := send(t, c, random(t, 20000))
	got, _, err := readAll(c)
	assert.Len(t, got, 5000)
	if err == nil { // EOF
		err = io.EOF
	}
	t.Logf("after 5000 bytes: %v", err)
	_, err = c.Read(make([]byte, 10))
	assert.Error(t, err, "a further read")
	_ = wrote() // may fail: the connection was reset
}

// A reset at 0 up ends the connection before any byte; later connections
// take the faults Set gives them.
func TestResetUpAtZero(t *testing.T) {
	p := chaos.Start(t, chaos.Serve(t, chaos.Echo(nil)), chaos.ResetAt(chaos.Up, 0))
	c, err := net.DialTimeout("tcp", p.Addr(), deadline)
	if err == nil { // the reset may come before the connect returns
		defer c.Close()
		require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
		_, _ = c.Write([]byte("hello"))
		n, err := c.Read(make([]byte, 10))
		assert.Zero(t, n)
		assert.Error(t, err)
	}
	assert.Equal(t, 1, p.Conns())

	p.Set()
	c2 := dial(t, p.Addr())
	_, err = c2.Write([]byte("hello"))
	require.NoError(t, err)
	got := make([]byte, 5)
	_, err = io.ReadFull(c2, got)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))
	assert.Equal(t, 2, p.Conns())
}

// Offsets are exact however the stream is cut: the server gets exactly
// 12345 bytes, in order, before the reset.
func TestResetUpIsExactWhenRecut(t *testing.T) {
	type result struct {
		got []byte
		err error
	}
	read := make(chan result, 1)
	p := chaos.Start(t, chaos.Serve(t, func(c *net.TCPConn) {
		got, _, err := readAll(c)
		read <- result{got, err}
	}), chaos.Recut(chaos.Up, 7, 1000), chaos.ResetAt(chaos.Up, 12345))
	c := dial(t, p.Addr())
	data := random(t, 50000)
	wrote := send(t, c, data)
	select {
	case r := <-read:
		assert.Equal(t, data[:12345], r.got)
		t.Logf("then: %v", r.err)
	case <-time.After(deadline):
		t.Fatal("the server did not finish reading")
	}
	_, err := c.Read(make([]byte, 10))
	assert.Error(t, err, "the client's side is reset too")
	_ = wrote() // may fail: the connection was reset
}
