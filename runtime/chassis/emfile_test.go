package chassis_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/childproc"
	"github.com/kamgen/kamgen/internal/testcert"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
)

const emfileChild = "KAMGEN_EMFILE_SERVER" // its arguments: "tls" or nothing

// TestEMFILEServerProcess is not a test of its own: TestAcceptSurvivesEMFILE
// runs the test binary again with it, as a server limited to 64 open files.
func TestEMFILEServerProcess(t *testing.T) {
	childproc.Serve(emfileChild, func(ctx context.Context, args []string, ready func(string)) error {
		lim := syscall.Rlimit{Cur: 64, Max: 64}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return fmt.Errorf("setrlimit: %w", err)
		}
		var opts chassis.ServerOptions
		if len(args) > 0 && args[0] == "tls" {
			cert, _ := testcert.New(t)
			opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		}
		srv, err := chassis.NewServerCore("127.0.0.1:0", chassis.Handler(testproto.NewEcho), opts)
		if err != nil {
			return err
		}
		ready(srv.Addr().String())
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		return axon.Run(ctx, srv)
	})
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
	args := ""
	if useTLS {
		args = "tls"
	}
	p := childproc.Start(t, "TestEMFILEServerProcess", emfileChild, args)
	addr := p.Addr

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
	require.Contains(t, p.Logs(), "too many open files", "the server did run out of descriptors")
	require.Contains(t, p.Logs(), "accept failed; retrying")
}
