//go:build soak

// Package soak holds the soak test, run by make soak and not by make test:
// ten minutes (SOAK_DURATION) of mixed load on examples/echo (plain and
// TLS) and examples/markov, through the chaos proxy (internal/chaos): echo
// clients through streams re-cut at random, Markov chatters, TLS
// handshakes, slow readers and clients that reset mid-send. Every ten
// seconds it reads each server's RSS, threads, descriptors and goroutines
// (from the -debug-addr each is started with); it fails on an error where
// none was due, on descriptors, threads or goroutines not back to where
// they started, and on RSS that keeps growing.
package soak

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamgen/kamgen/internal/bench/proc"
	"github.com/kamgen/kamgen/internal/chaos"
	"github.com/kamgen/kamgen/internal/testcert"
)

// server is one example process under load.
type server struct {
	name    string
	addr    string
	debug   string // where it serves Go's profiles (-debug-addr)
	cmd     *exec.Cmd
	samples []sample
}

type sample struct {
	at         time.Duration
	rssKiB     int
	threads    int
	fds        int
	goroutines int
}

func TestSoak(t *testing.T) {
	duration := 10 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil {
		duration = d
	}
	dir := t.TempDir()
	root := moduleRoot(t)
	for _, ex := range []string{"echo", "markov"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, ex), "./examples/"+ex)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building examples/%s: %v\n%s", ex, err, out)
		}
	}
	cert, key, pool := testcert.Files(t)

	servers := []*server{
		start(t, "echo", filepath.Join(dir, "echo")),
		start(t, "echo-tls", filepath.Join(dir, "echo"), "-tls-cert", cert, "-tls-key", key),
		start(t, "markov", filepath.Join(dir, "markov")),
	}
	echo, echoTLS, markov := servers[0].addr, servers[1].addr, servers[2].addr
	recut := []chaos.Fault{chaos.Recut(chaos.Up, 1, 4096), chaos.Recut(chaos.Down, 2, 4096)}
	echoCut := chaos.Start(t, echo, recut...)
	tlsCut := chaos.Start(t, echoTLS, recut...)
	markovCut := chaos.Start(t, markov, recut...)
	slow := chaos.Start(t, echo, chaos.Throttle(chaos.Down, 256<<10))
	resets := chaos.Start(t, echo, chaos.ResetAt(chaos.Up, 10000))

	began := time.Now()
	for _, s := range servers {
		s.sample(t, 0)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var counts struct{ echo, markov, tls, slow, resets, errs atomic.Int64 }
	var firstErr atomic.Value
	fail := func(what string, err error) {
		if counts.errs.Add(1) == 1 {
			firstErr.Store(fmt.Sprintf("%s: %v", what, err))
		}
	}
	loop := func(n int, what string, count *atomic.Int64, cycle func(*mrand.Rand) error) {
		for i := range n {
			wg.Go(func() {
				rng := mrand.New(mrand.NewPCG(uint64(i), uint64(len(what))))
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := cycle(rng); err != nil {
						fail(what, err)
						time.Sleep(100 * time.Millisecond) // pacing after a failure, not waiting for an event
						continue
					}
					count.Add(1)
				}
			})
		}
	}
	loop(16, "echo through re-cut streams", &counts.echo, func(rng *mrand.Rand) error {
		return echoCycle(echoCut.Addr(), nil, 1+rng.IntN(64<<10), rng)
	})
	loop(4, "TLS echo through re-cut streams", &counts.tls, func(rng *mrand.Rand) error {
		return echoCycle(tlsCut.Addr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}, 1+rng.IntN(4096), rng)
	})
	loop(4, "markov through re-cut streams", &counts.markov, func(rng *mrand.Rand) error {
		return chatCycle(markovCut.Addr(), rng)
	})
	loop(2, "slow reader", &counts.slow, func(rng *mrand.Rand) error {
		return echoCycle(slow.Addr(), nil, 512<<10, rng)
	})
	loop(4, "reset mid-send", &counts.resets, func(rng *mrand.Rand) error {
		return resetCycle(resets.Addr(), rng)
	})

	tick := time.NewTicker(10 * time.Second)
	deadline := time.After(duration)
wait:
	for {
		select {
		case <-tick.C:
			for _, s := range servers {
				s.sample(t, time.Since(began))
			}
		case <-deadline:
			break wait
		}
	}
	tick.Stop()
	close(stop)
	wg.Wait()
	// The servers close what the last cycles left: idle again.
	settle := time.Now().Add(30 * time.Second)
	for _, s := range servers {
		for {
			s.sample(t, time.Since(began))
			last := s.samples[len(s.samples)-1]
			if last.fds <= s.samples[0].fds || time.Now().After(settle) {
				break
			}
			time.Sleep(500 * time.Millisecond) // polling a count no event reports
		}
	}

	t.Logf("%v: %d echo, %d TLS, %d markov, %d slow-reader and %d reset cycles; %d errors",
		duration, counts.echo.Load(), counts.tls.Load(), counts.markov.Load(), counts.slow.Load(), counts.resets.Load(), counts.errs.Load())
	if counts.errs.Load() > 0 {
		t.Errorf("%d cycles failed, the first: %v", counts.errs.Load(), firstErr.Load())
	}
	for _, s := range servers {
		first, last := s.samples[0], s.samples[len(s.samples)-1]
		slope := s.rssSlope()
		t.Logf("%-8s RSS %d -> %d KiB (second half: %+.0f KiB/min), threads %d -> %d, goroutines %d -> %d, descriptors %d -> %d",
			s.name, first.rssKiB, last.rssKiB, slope, first.threads, last.threads, first.goroutines, last.goroutines, first.fds, last.fds)
		if last.goroutines > first.goroutines+8 {
			t.Errorf("%s has %d goroutines, %d before the load", s.name, last.goroutines, first.goroutines)
		}
		if last.fds > first.fds {
			t.Errorf("%s holds %d descriptors, %d before the load", s.name, last.fds, first.fds)
		}
		if last.threads > first.threads+8 {
			t.Errorf("%s has %d threads, %d before the load", s.name, last.threads, first.threads)
		}
		if slope > 1024 {
			t.Errorf("%s's RSS grows %.0f KiB a minute in the second half of the run", s.name, slope)
		}
	}
	for _, p := range []*chaos.Proxy{echoCut, tlsCut, markovCut, slow, resets} {
		if p.Conns() == 0 {
			t.Errorf("the proxy to %s carried nothing", p.Addr())
		}
	}
}

// echoCycle echoes n random bytes and checks them.
func echoCycle(addr string, cfg *tls.Config, n int, rng *mrand.Rand) error {
	c, err := dial(addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	msg := make([]byte, n)
	for i := range msg {
		msg[i] = byte(rng.Uint32())
	}
	errc := make(chan error, 1)
	go func() { _, err := c.Write(msg); errc <- err }()
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if err := <-errc; err != nil {
		return err
	}
	if !bytes.Equal(got, msg) {
		return errors.New("the echo differs from what was sent")
	}
	return nil
}

// chatCycle sends the Markov server a few lines and reads a reply to each.
func chatCycle(addr string, rng *mrand.Rand) error {
	c, err := dial(addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	words := []string{"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"}
	r := bufio.NewReader(c)
	for range 10 {
		var line strings.Builder
		for k := range 3 + rng.IntN(8) {
			if k > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(words[rng.IntN(len(words))])
		}
		line.WriteByte('\n')
		if _, err := io.WriteString(c, line.String()); err != nil {
			return err
		}
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
	}
	return nil
}

// resetCycle sends more than the proxy lets through before it resets: the
// client must see the connection end, with an error or an EOF.
func resetCycle(addr string, rng *mrand.Rand) error {
	c, err := dial(addr, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	go func() {
		msg := make([]byte, 64<<10)
		for range 4 {
			if _, err := c.Write(msg); err != nil {
				return
			}
		}
	}()
	n, err := io.Copy(io.Discard, c)
	if err == nil && n > 64<<10*4 {
		return fmt.Errorf("read %d bytes through a proxy that resets after 10,000", n)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("the reset never came")
	}
	return nil
}

func dial(addr string, cfg *tls.Config) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		c.Close()
		return nil, err
	}
	if cfg != nil {
		tc := tls.Client(c, cfg)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, err
		}
		return tc, nil
	}
	return c, nil
}

// start runs an example on a free port of 127.0.0.1 and waits until it
// answers; the test stops it when it ends.
func start(t *testing.T, name, bin string, args ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debug := dl.Addr().String()
	dl.Close()
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-debug-addr", debug}, args...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("%s did not stop within 15 s of SIGINT", name)
		}
	})
	limit := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(limit) {
			t.Fatalf("%s does not answer on %s: %v", name, addr, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a port no event reports
	}
	return &server{name: name, addr: addr, debug: debug, cmd: cmd}
}

// sample reads the server's RSS, threads, descriptors and goroutines.
func (s *server) sample(t *testing.T, at time.Duration) {
	t.Helper()
	st, err := proc.ReadWith(s.cmd.Process.Pid, s.debug)
	if err != nil {
		t.Fatalf("%s: %v", s.name, err)
	}
	s.samples = append(s.samples, sample{at: at, rssKiB: st.RSSKiB, threads: st.Threads, fds: st.FDs, goroutines: st.Goroutines})
}

// rssSlope returns the least-squares slope of RSS over the second half of
// the samples, in KiB a minute.
func (s *server) rssSlope() float64 {
	xs := s.samples[len(s.samples)/2:]
	if len(xs) < 3 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for _, x := range xs {
		m := x.at.Minutes()
		sx += m
		sy += float64(x.rssKiB)
		sxx += m * m
		sxy += m * float64(x.rssKiB)
	}
	n := float64(len(xs))
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// moduleRoot returns the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}
