package internet_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
)

// FuzzEchoCutStreams sends data cut at arbitrary points, each piece its own
// write, through a real echo server: it must come back whole and in order,
// however the pieces were cut and however the network merged them.
func FuzzEchoCutStreams(f *testing.F) {
	f.Add([]byte("hello, world"), []byte{1, 5, 2})
	f.Add(bytes.Repeat([]byte("x"), 70000), []byte{255, 0, 17})
	f.Add([]byte("\x00\xff\r\n"), []byte{})
	f.Add([]byte("a"), []byte{0, 0, 0})
	srv := serve(f, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		if len(data) == 0 || len(data) > 1<<20 {
			return
		}
		c := dial(t, srv)
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		got := make([]byte, len(data))
		done := make(chan error, 1)
		go func() {
			_, err := io.ReadFull(c, got)
			done <- err
		}()
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if i < len(cuts) {
				n = min(n, int(cuts[i])*257+1)
			}
			if _, err := c.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := <-done; err != nil {
			t.Fatalf("reading the echo: %v", err)
		}
		if !bytes.Equal(data, got) {
			t.Fatalf("echo differs: sent %d bytes", len(data))
		}
		c.Close()
	})
}
