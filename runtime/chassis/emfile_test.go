package chassis_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/testcert"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
)

const (
	emfileChild = "KAMGEN_EMFILE_SERVER"
	emfileTLS   = "KAMGEN_EMFILE_TLS" // the child serves TLS (ServerOptions.TLS)
)

// TestEMFILEServerProcess is not a test of its own: TestAcceptSurvivesEMFILE
// runs the test binary again with it, as a server limited to 64 open files.
func TestEMFILEServerProcess(t *testing.T) {
	if os.Getenv(emfileChild) == "" {
		return // only in the child process
	}
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(2)
	}
	var opts chassis.ServerOptions
	if os.Getenv(emfileTLS) != "" {
		cert, _ := testcert.New(t)
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), opts)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(2)
	}
	fmt.Println("ADDR", srv.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	go func() { io.Copy(io.Discard, os.Stdin); cancel() }() // the parent closes stdin to stop us
	if err := axon.Run(ctx, srv); err != nil {
		fmt.Println("run:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// B5 (Kamaelia's accept errors were fatal): accept errors (EMFILE when
// descriptors run out) are retried with a back-off, never fatal: a server
// limited to 64 descriptors, hit by 100 clients at once, serves again once
// they are gone. So does a TLS server, whose listener accepts on a
// goroutine of its own.
func TestAcceptSurvivesEMFILE(t *testing.T) {
	t.Run("plain", func(t *testing.T) { acceptSurvivesEMFILE(t, false) })
	t.Run("TLS", func(t *testing.T) { acceptSurvivesEMFILE(t, true) })
}

func acceptSurvivesEMFILE(t *testing.T, useTLS bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestEMFILEServerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), emfileChild+"=1")
	if useTLS {
		cmd.Env = append(cmd.Env, emfileTLS+"=1")
	}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var logs lockedBuffer
	cmd.Stderr = &logs
	require.NoError(t, cmd.Start())
	defer func() {
		stdin.Close()
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the server printed nothing")
	addr, ok := strings.CutPrefix(lines.Text(), "ADDR ")
	require.True(t, ok, "server said %q", lines.Text())
	go io.Copy(io.Discard, stdout)

	// 100 clients at once: the server runs out of descriptors.
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			_, _ = c.Write([]byte("x"))
			_, _ = io.ReadFull(c, make([]byte, 1))
		}()
	}
	wg.Wait()
	for _, c := range conns {
		c.Close()
	}
	// Once they are gone, a new client is served.
	require.Eventually(t, func() bool {
		var c net.Conn
		var err error
		if useTLS {
			d := &net.Dialer{Timeout: time.Second}
			c, err = tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
		} else {
			c, err = net.DialTimeout("tcp", addr, time.Second)
		}
		if err != nil {
			return false
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("ping")); err != nil {
			return false
		}
		got := make([]byte, 4)
		_, err = io.ReadFull(c, got)
		return err == nil && string(got) == "ping"
	}, 30*time.Second, 50*time.Millisecond, "the server serves again after EMFILE")
	require.Contains(t, logs.String(), "too many open files", "the server did run out of descriptors")
	require.Contains(t, logs.String(), "accept failed; retrying")
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
