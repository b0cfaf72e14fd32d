// Massclose measures a mass disconnect: it opens -conns connections to an
// echo server, checks each with one echo, then closes them all at once and
// reports how long the server takes to release their descriptors (read
// from /proc/PID/fd) and how fast a new client is answered meanwhile.
//
//	go run ./internal/bench/massclose -addr 127.0.0.1:1500 -pid $(pidof echo) -conns 19000
//
// The new client is dialed by a process of its own (this program, run with
// -probe), so that what it measures is the server and the machine, not
// this process's scheduler busy closing thousands of sockets. It binds a
// port of its own, below the ephemeral range (10000-19999), rather than
// let connect pick one: with 19,000 connections to the same server port
// just closed, in TIME_WAIT on this side, the kernel's search for a free
// ephemeral port took 10-35 ms of a probe's connect, which no client of
// another host pays (a probe to a bystander server, whose port has none,
// connected in 0.1-1 ms meanwhile).
//
// It prints one JSON line. It only talks to loopback addresses.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/kamgen/kamgen/internal/bench/proc"
)

func main() {
	addr := flag.String("addr", "", "echo server address (loopback only)")
	pid := flag.Int("pid", 0, "the server's process id, whose descriptors are counted")
	conns := flag.Int("conns", 10000, "connections to open and then close at once")
	par := flag.Int("dial-parallel", 64, "connections dialed at once")
	limit := flag.Duration("timeout", 60*time.Second, "how long the server may take to release every descriptor")
	label := flag.String("label", "", "free text copied into the output")
	latFile := flag.String("latencies", "", "append every probe's latency (ms, one a line) to this file, to pool rounds: the p99 of one round's 60-odd probes is its slowest")
	probeAddr := flag.String("probe-addr", "", "where the new client is dialed (default -addr): another server's address measures the machine's floor, the latency a server not closing anything sees meanwhile")
	probe := flag.Bool("probe", false, "only probe: dial addr every 5 ms until stdin closes, then print the latencies (a JSON array of ns)")
	flag.Parse()
	if *probe {
		if err := probeOnly(*addr); err != nil {
			fmt.Fprintln(os.Stderr, "massclose -probe:", err)
			os.Exit(1)
		}
		return
	}
	if *probeAddr == "" {
		*probeAddr = *addr
	}
	if err := run(*addr, *probeAddr, *pid, *conns, *par, *limit, *label, *latFile); err != nil {
		fmt.Fprintln(os.Stderr, "massclose:", err)
		os.Exit(1)
	}
}

type result struct {
	Label        string  `json:"label,omitempty"`
	Conns        int     `json:"conns"`
	FDsBefore    int     `json:"server_fds_before"`
	FDsOpen      int     `json:"server_fds_open"`
	FDsAfter     int     `json:"server_fds_after"`
	ReleasedMS   float64 `json:"released_ms"` // from the close to the descriptors back to before
	Probes       int     `json:"probes"`
	ProbeP50MS   float64 `json:"probe_p50_ms"`
	ProbeP99MS   float64 `json:"probe_p99_ms"`
	ProbeMaxMS   float64 `json:"probe_max_ms"`
	ProbeErrors  int     `json:"probe_errors"`
	ServerCPUPct float64 `json:"server_cpu_pct"` // while releasing
}

func run(addr, probeAddr string, pid, n, par int, limit time.Duration, label, latFile string) error {
	if err := proc.Loopback(addr); err != nil {
		return err
	}
	if err := proc.Loopback(probeAddr); err != nil {
		return err
	}
	if pid <= 0 {
		return errors.New("-pid is required")
	}
	r := result{Label: label, Conns: n}
	var err error
	if r.FDsBefore, err = proc.FDs(pid); err != nil {
		return err
	}
	cs := make([]net.Conn, n)
	var wg sync.WaitGroup
	errs := make(chan error, par)
	next := make(chan int)
	for range par {
		wg.Go(func() {
			for i := range next {
				c, err := ping(addr)
				if err != nil {
					select {
					case errs <- fmt.Errorf("connection %d: %w", i, err):
					default:
					}
					continue
				}
				cs[i] = c
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	if r.FDsOpen, err = proc.FDs(pid); err != nil {
		return err
	}
	cpu0, err := proc.CPUTicks(pid)
	if err != nil {
		return err
	}

	// Probe a new client every 5 ms while the server releases the others,
	// from a process of our own.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	pc := exec.Command(self, "-probe", "-addr", probeAddr)
	pc.Stderr = os.Stderr
	stdin, err := pc.StdinPipe()
	if err != nil {
		return err
	}
	out, err := pc.StdoutPipe()
	if err != nil {
		return err
	}
	if err := pc.Start(); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond) // its first probes come before the close

	start := time.Now()
	var cw sync.WaitGroup
	for k := range par {
		cw.Go(func() {
			for i := k; i < n; i += par {
				cs[i].Close()
			}
		})
	}
	cw.Wait()
	deadline := start.Add(limit)
	for {
		fds, err := proc.FDs(pid)
		if err != nil {
			return err
		}
		if fds <= r.FDsBefore+1 { // +1: a probe may be open
			r.FDsAfter = fds
			break
		}
		if time.Now().After(deadline) {
			r.FDsAfter = fds
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.ReleasedMS = ms(time.Since(start))
	cpu1, err := proc.CPUTicks(pid)
	if err != nil {
		return err
	}
	r.ServerCPUPct = float64(cpu1-cpu0) / 100 / time.Since(start).Seconds() * 100 // USER_HZ 100
	// Keep probing a little past the release, to see the tail.
	time.Sleep(200 * time.Millisecond)
	stdin.Close()
	var pr probeResult
	if err := json.NewDecoder(out).Decode(&pr); err != nil {
		return fmt.Errorf("reading the probe's results: %w", err)
	}
	if err := pc.Wait(); err != nil {
		return fmt.Errorf("the probe: %w", err)
	}
	lat, probeErrs := pr.Latencies, pr.Errors
	slices.Sort(lat)
	if latFile != "" {
		if err := appendLatencies(latFile, lat); err != nil {
			return err
		}
	}
	r.Probes, r.ProbeErrors = len(lat), probeErrs
	if len(lat) > 0 {
		r.ProbeP50MS = ms(lat[len(lat)/2])
		r.ProbeP99MS = ms(lat[len(lat)*99/100])
		r.ProbeMaxMS = ms(lat[len(lat)-1])
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return err
	}
	if r.FDsAfter > r.FDsBefore+1 {
		return fmt.Errorf("the server still held %d descriptors (%d before) after %v", r.FDsAfter, r.FDsBefore, limit)
	}
	return nil
}

// probeResult is what a -probe process prints.
type probeResult struct {
	Latencies []time.Duration
	Errors    int
}

// probeOnly dials addr every 5 ms, checking an echo, until stdin closes;
// then it prints what it measured.
func probeOnly(addr string) error {
	if err := proc.Loopback(addr); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	var r probeResult
	port := probePorts[0] + rand.IntN(probePorts[1]-probePorts[0])
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return json.NewEncoder(os.Stdout).Encode(r)
		case <-t.C:
		}
		start := time.Now()
		c, err := pingFrom(addr, &port)
		if err != nil {
			r.Errors++
			continue
		}
		r.Latencies = append(r.Latencies, time.Since(start))
		c.Close()
	}
}

// probePorts are the ports a probe binds, one after another: below the
// ephemeral range, and below bench-conns.sh's servers.
var probePorts = [2]int{10000, 20000}

// pingFrom is ping from the next free port from *port on, in probePorts.
func pingFrom(addr string, port *int) (net.Conn, error) {
	for range 1000 {
		*port++
		if *port >= probePorts[1] {
			*port = probePorts[0]
		}
		d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: *port}}
		c, err := d.Dial("tcp", addr)
		if errors.Is(err, syscall.EADDRINUSE) {
			continue // still in TIME_WAIT from an earlier run, or taken
		}
		if err != nil {
			return nil, err
		}
		return check(c)
	}
	return nil, errors.New("no free port to probe from in 10000-19999")
}

// ping dials addr and checks one echo.
func ping(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return check(c)
}

// check checks one echo on c, and closes it if it fails.
func check(c net.Conn) (net.Conn, error) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	msg := []byte("ping\n")
	buf := make([]byte, len(msg))
	_, err := c.Write(msg)
	if err == nil {
		_, err = io.ReadFull(c, buf)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// appendLatencies appends lat to the file name, in ms, one a line.
func appendLatencies(name string, lat []time.Duration) error {
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range lat {
		fmt.Fprintf(w, "%.3f\n", ms(l))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
