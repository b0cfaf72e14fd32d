package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/testcert"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs the server with args and returns its address and the
// directory it writes to.
func start(t *testing.T, args ...string) (addr, dir string) {
	t.Helper()
	dir = t.TempDir()
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, append([]string{"-addr", "127.0.0.1:0", "-dir", dir}, args...), ready)
	})
	return srv.Addr, dir
}

// dial returns a net/smtp client of addr whose every wait is bounded.
func dial(t *testing.T, addr string) *smtp.Client {
	t.Helper()
	c := extest.Dial(t, addr)
	sc, err := smtp.NewClient(c, "localhost")
	require.NoError(t, err)
	return sc
}

// send sends body from a@example.org to b@example.org.
func send(t *testing.T, c *smtp.Client, body []byte) {
	t.Helper()
	require.NoError(t, c.Mail("a@example.org"))
	require.NoError(t, c.Rcpt("b@example.org"))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write(body)
	require.NoError(t, err)
	require.NoError(t, w.Close(), "250 once the message is written")
}

// messages returns the messages in dir, without their Received: line,
// and the Received: lines.
func messages(t *testing.T, dir string) (bodies, received []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		first, rest, ok := bytes.Cut(b, []byte("\r\n"))
		require.True(t, ok, "%s: a Received: line", f)
		require.True(t, bytes.HasPrefix(first, []byte("Received: from ")), "%s starts %q", f, first)
		bodies, received = append(bodies, string(rest)), append(received, string(first))
	}
	left, err := filepath.Glob(filepath.Join(dir, ".incoming-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "no temporary file is left")
	return bodies, received
}

const body = "From: a@example.org\r\nSubject: dots\r\n\r\n.a line that starts with a dot\r\n..two\r\n.\r\n. \r\nend\r\n"

// A plain session: the message is on disk, byte for byte (the client's dot
// stuffing undone), with a Received: line before it; the session goes on
// with a second message after RSET.
func TestPlainSession(t *testing.T) {
	addr, dir := start(t)
	c := dial(t, addr)
	require.NoError(t, c.Hello("client.example.org"))
	ok, size := c.Extension("SIZE")
	assert.True(t, ok)
	assert.Equal(t, "10485760", size)
	ok, _ = c.Extension("STARTTLS")
	assert.True(t, ok, "STARTTLS offered in plain text")
	send(t, c, []byte(body))
	require.NoError(t, c.Reset())
	send(t, c, []byte("second\r\n"))
	require.NoError(t, c.Quit())

	bodies, received := messages(t, dir)
	assert.ElementsMatch(t, []string{body, "second\r\n"}, bodies)
	assert.Contains(t, received[0], "from client.example.org (127.0.0.1) by localhost with ESMTP;")
}

// Commands out of order get 503, unknown ones 500 or 502, and SIZE= over
// the limit 552; QUIT gets 221 and a close.
func TestProtocolErrors(t *testing.T) {
	addr, _ := start(t, "-max-size", "1000")
	c := extest.Dial(t, addr)
	r := textproto.NewReader(bufio.NewReader(c))
	expect := func(cmd string, code int) {
		t.Helper()
		if cmd != "" {
			extest.Write(t, c, cmd+"\r\n")
		}
		_, _, err := r.ReadResponse(code)
		assert.NoError(t, err, "%q: want %d", cmd, code)
	}
	expect("", 220)
	expect("MAIL FROM:<a@b>", 503)
	expect("EHLO me", 250)
	expect("RCPT TO:<a@b>", 503)
	expect("DATA", 503)
	expect("MAIL FROM:<a@b> SIZE=1001", 552)
	expect("MAIL FROM:a@b", 501)
	expect("MAIL FROM:<a@b> SIZE=1000", 250)
	expect("MAIL FROM:<a@b>", 503)
	expect("FOO", 500)
	expect("VRFY x", 502)
	expect("NOOP", 250)
	for range maxRecipients {
		expect("RCPT TO:<b@c>", 250)
	}
	expect("RCPT TO:<b@c>", 452)
	expect("DATA", 354)
	extest.Write(t, c, strings.Repeat("0123456789\r\n", 100)+".\r\n")
	expect("", 552)
	expect("RCPT TO:<b@c>", 503)
	expect("QUIT", 221)
	assert.Empty(t, extest.ReadAll(t, r.R))
}

// STARTTLS with the given certificate, and with the self-signed default:
// the session starts over (STARTTLS is no longer offered, MAIL needs EHLO
// again) and the message arrives whole, received "with ESMTPS".
func TestStartTLS(t *testing.T) {
	certFile, keyFile, pool := testcert.Files(t)
	for _, tc := range []struct {
		name string
		args []string
		tls  *tls.Config
	}{
		{"given certificate", []string{"-tls-cert", certFile, "-tls-key", keyFile}, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}},
		{"self-signed", nil, &tls.Config{InsecureSkipVerify: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, dir := start(t, tc.args...)
			c := dial(t, addr)
			require.NoError(t, c.StartTLS(tc.tls)) // EHLO, STARTTLS, handshake, EHLO
			state, ok := c.TLSConnectionState()
			require.True(t, ok)
			assert.True(t, state.HandshakeComplete)
			ok, _ = c.Extension("STARTTLS")
			assert.False(t, ok, "STARTTLS is not offered over TLS")
			send(t, c, []byte(body))
			require.NoError(t, c.Quit())
			bodies, received := messages(t, dir)
			assert.Equal(t, []string{body}, bodies)
			assert.Contains(t, received[0], " with ESMTPS;")
		})
	}
}

// A 5 MB message arrives byte for byte.
func TestLargeMessage(t *testing.T) {
	addr, dir := start(t)
	var b bytes.Buffer
	for i := 0; b.Len() < 5<<20; i++ {
		fmt.Fprintf(&b, "%08d %s\r\n", i, strings.Repeat(string(rune('a'+i%26)), 60+i%900))
		if i%7 == 0 {
			b.WriteString(".dot\r\n")
		}
	}
	c := dial(t, addr)
	require.NoError(t, c.Hello("me"))
	send(t, c, b.Bytes())
	require.NoError(t, c.Quit())
	bodies, _ := messages(t, dir)
	require.Len(t, bodies, 1)
	assert.True(t, b.String() == bodies[0], "%d bytes of %d, byte for byte", len(bodies[0]), b.Len())
}

// A 1 MB line without a newline gets 500 and a close as soon as it is too
// long, without waiting for its end, and the server keeps none of it: its
// heap in use comes back within 256 KiB of what it was.
func TestLongLine(t *testing.T) {
	for _, inData := range []bool{false, true} {
		t.Run(fmt.Sprintf("in DATA %v", inData), func(t *testing.T) {
			addr, _ := start(t)
			c := extest.Dial(t, addr)
			r := textproto.NewReader(bufio.NewReader(c))
			_, _, err := r.ReadResponse(220)
			require.NoError(t, err)
			if inData {
				extest.Write(t, c, "HELO me\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n")
				for _, code := range []int{250, 250, 250, 354} {
					_, _, err := r.ReadResponse(code)
					require.NoError(t, err)
				}
			}
			line := bytes.Repeat([]byte("x"), 1<<20)
			before := memStats()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = c.Write(line) // the server may close first
			}()
			code, msg, err := r.ReadResponse(500)
			require.NoError(t, err)
			assert.Equal(t, "5.5.0 Line too long", msg, "code %d", code)
			_, err = r.R.ReadByte()
			assert.Error(t, err, "closed after the reply")
			wg.Wait()
			// The connection's last buffers go once it is closed on both
			// sides, a little after the reply: the heap comes back.
			var growth int64
			assert.Eventually(t, func() bool {
				growth = int64(memStats().HeapInuse) - int64(before.HeapInuse)
				return growth < 256<<10
			}, extest.Deadline, 10*time.Millisecond, "heap growth, bytes")
			t.Logf("heap in use %+d B", growth)
			runtime.KeepAlive(line) // counted in both
		})
	}
}

func memStats() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// RFC 3207 §5: a command sent in plain text after STARTTLS, in the same
// write, is never acted on as if it came over TLS. After the handshake the
// session has started over: the first reply is EHLO's, and RCPT TO is out
// of sequence (the injected MAIL FROM was dropped). 1,000 connections, 8 at
// a time.
func TestSTARTTLSInjection(t *testing.T) {
	certFile, keyFile, pool := testcert.Files(t)
	addr, _ := start(t, "-tls-cert", certFile, "-tls-key", keyFile)
	const conns, parallel = 1000, 8
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	next := make(chan int, conns)
	for i := range conns {
		next <- i
	}
	close(next)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				errs <- inject(addr, pool)
			}
		}()
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			if failed < 5 {
				t.Error(err)
			}
			failed++
		}
	}
	assert.Zero(t, failed, "connections where the injected command was acted on, or that failed")
}

// inject runs one session of TestSTARTTLSInjection.
func inject(addr string, pool *x509.CertPool) error {
	c, err := net.DialTimeout("tcp", addr, extest.Deadline)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(extest.Deadline)); err != nil {
		return err
	}
	r := textproto.NewReader(bufio.NewReader(c))
	step := func(w io.Writer, cmd string, code int) error {
		if cmd != "" {
			if _, err := io.WriteString(w, cmd); err != nil {
				return err
			}
		}
		if got, msg, err := r.ReadResponse(code); err != nil {
			return fmt.Errorf("after %q: %d %s: %w", cmd, got, msg, err)
		}
		return nil
	}
	for _, s := range []struct {
		cmd  string
		code int
	}{{"", 220}, {"EHLO me\r\n", 250}, {"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n", 220}} {
		if err := step(c, s.cmd, s.code); err != nil {
			return err
		}
	}
	if r.R.Buffered() > 0 {
		return fmt.Errorf("a reply in plain text after STARTTLS's")
	}
	tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err := tc.Handshake(); err != nil {
		return err
	}
	r = textproto.NewReader(bufio.NewReader(tc))
	if err := step(tc, "EHLO me\r\n", 250); err != nil {
		return fmt.Errorf("the first reply over TLS: %w", err)
	}
	if err := step(tc, "RCPT TO:<b@example.org>\r\n", 503); err != nil {
		return fmt.Errorf("the injected MAIL FROM was acted on: %w", err)
	}
	return step(tc, "QUIT\r\n", 221)
}

// Commands sent with the end of a message wait until it is written: the
// replies come in order, 250 for the message before 221 for QUIT.
func TestCommandsAfterTheMessageWaitForIt(t *testing.T) {
	addr, dir := start(t)
	c := extest.Dial(t, addr)
	extest.Write(t, c, "HELO me\r\nMAIL FROM:<>\r\nRCPT TO:<b@c>\r\nDATA\r\n")
	r := textproto.NewReader(bufio.NewReader(c))
	for _, code := range []int{220, 250, 250, 250, 354} {
		_, _, err := r.ReadResponse(code)
		require.NoError(t, err)
	}
	extest.Write(t, c, "hello\r\n..\r\n.\r\nMAIL FROM:<a@b>\r\nQUIT\r\n")
	for _, code := range []int{250, 250, 221} {
		_, msg, err := r.ReadResponse(code)
		require.NoError(t, err, msg)
	}
	bodies, _ := messages(t, dir)
	assert.Equal(t, []string{"hello\r\n.\r\n"}, bodies)
}
