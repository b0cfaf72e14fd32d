package main

import (
	"bytes"
	"crypto/tls"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/testcert"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Lines typed go to the server over TLS, its answers are printed, and the
// end of the input ends the session.
func TestTalksTLS(t *testing.T) {
	srv, caFile := tlsEcho(t)
	stdin, typing := io.Pipe()
	defer stdin.Close()
	out := newScreen()
	result := make(chan error, 1)
	go func() {
		result <- run(extest.Context(t), []string{"-addr", srv.addr, "-ca", caFile}, stdin, out)
	}()
	for _, line := range []string{"hello over TLS\n", "and again\n"} {
		_, err := io.WriteString(typing, line)
		require.NoError(t, err)
		if !out.waitFor(line) {
			select {
			case err := <-result:
				t.Fatalf("the client ended (%v) before %q came back; the screen shows %q", err, line, out.String())
			default:
				t.Fatalf("waiting for %q, the screen shows %q", line, out.String())
			}
		}
	}
	require.NoError(t, typing.Close())
	select {
	case err := <-result:
		require.NoError(t, err)
	case <-time.After(extest.Deadline):
		t.Fatal("the client did not end with its input")
	}
	assert.Equal(t, "hello over TLS\nand again\n", strings.ReplaceAll(out.String(), ">>> ", ""))
	assert.EqualValues(t, 1, srv.handshakes.Load(), "one TLS connection")
}

// A server whose certificate does not verify is refused: the program ends
// with the reason, having sent nothing.
func TestRefusesAnUnknownCertificate(t *testing.T) {
	srv, _ := tlsEcho(t)
	stdin, typing := io.Pipe()
	defer typing.Close()
	err := run(extest.Context(t), []string{"-addr", srv.addr}, stdin, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
}

// echoServer is a TLS echo server of the test's own.
type echoServer struct {
	addr       string
	wg         sync.WaitGroup
	handshakes atomic.Int32 // TLS handshakes that succeeded
}

// tlsEcho starts a TLS echo server with a self-signed certificate for
// 127.0.0.1, and returns it and a PEM file holding the certificate. It
// serves every connection: the client may open a plain one first, and drop
// it when makessl arrives while it is dialing (see the package comment).
func tlsEcho(t *testing.T) (*echoServer, string) {
	t.Helper()
	caFile, keyFile, _ := testcert.Files(t)
	cert, err := tls.LoadX509KeyPair(caFile, keyFile)
	require.NoError(t, err)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	require.NoError(t, err)
	s := &echoServer{addr: l.Addr().String()}
	s.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			s.wg.Go(func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(extest.Deadline))
				if c.(*tls.Conn).Handshake() == nil {
					s.handshakes.Add(1)
					_, _ = io.Copy(c, c)
				}
			})
		}
	})
	t.Cleanup(func() {
		_ = l.Close()
		s.wg.Wait()
	})
	return s, caFile
}

// screen is the client's standard output, which a test can wait on.
type screen struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newScreen() *screen { return &screen{changed: make(chan struct{}, 1)} }

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until what was printed, prompts aside, ends with text, and
// reports false if it does not within the deadline.
func (s *screen) waitFor(text string) bool {
	deadline := time.After(extest.Deadline)
	for !strings.HasSuffix(strings.ReplaceAll(s.String(), ">>> ", ""), text) {
		select {
		case <-s.changed:
		case <-deadline:
			return false
		}
	}
	return true
}
