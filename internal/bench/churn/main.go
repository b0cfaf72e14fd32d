// Churn measures connection churn against an echo server: -cycles
// connect/echo/close cycles, -parallel at a time; every -reset-every'th
// cycle sends half its message and resets the connection mid-send instead.
// It reports cycles per second, the latency of a cycle (p50, p99, max) and
// the server's RSS, high-water RSS, threads and descriptors before and
// after, and its goroutines when it serves Go's profiles (-debug-addr), as
// one JSON line.
//
//	go run ./internal/bench/churn -addr 127.0.0.1:1500 -pid $(pidof echo) -cycles 40000 -debug-addr 127.0.0.1:6060
//
// It only talks to loopback addresses.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/internal/bench/proc"
)

func main() {
	addr := flag.String("addr", "", "echo server address (loopback only)")
	pid := flag.Int("pid", 0, "the server's process id, whose memory and descriptors are read")
	cycles := flag.Int("cycles", 40000, "connect/echo/close cycles")
	par := flag.Int("parallel", 128, "cycles at a time")
	size := flag.Int("size", 1024, "bytes echoed per cycle")
	resetEvery := flag.Int("reset-every", 4, "every n-th cycle resets mid-send (0: none)")
	settle := flag.Duration("settle", 2*time.Second, "wait after the churn before reading the server's memory")
	label := flag.String("label", "", "free text copied into the output")
	debugAddr := flag.String("debug-addr", "", "where the server serves Go's profiles (an example's -debug-addr): its goroutines are counted too")
	flag.Parse()
	if err := run(*addr, *debugAddr, *pid, *cycles, *par, *size, *resetEvery, *settle, *label); err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(1)
	}
}

type result struct {
	Label        string    `json:"label,omitempty"`
	Cycles       int       `json:"cycles"`
	Resets       int       `json:"resets"`
	Errors       int       `json:"errors"`
	FirstError   string    `json:"first_error,omitempty"`
	CyclesPerSec float64   `json:"cycles_per_s"`
	P50MS        float64   `json:"p50_ms"`
	P99MS        float64   `json:"p99_ms"`
	MaxMS        float64   `json:"max_ms"`
	Before       proc.Stat `json:"before"`
	After        proc.Stat `json:"after"`
}

func run(addr, debugAddr string, pid, cycles, par, size, resetEvery int, settle time.Duration, label string) error {
	if err := proc.Loopback(addr); err != nil {
		return err
	}
	if pid <= 0 {
		return errors.New("-pid is required")
	}
	r := result{Label: label, Cycles: cycles}
	var err error
	if r.Before, err = proc.ReadWith(pid, debugAddr); err != nil {
		return err
	}
	msg := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
	lat := make([]time.Duration, cycles)
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range par {
		wg.Go(func() {
			buf := make([]byte, size)
			for {
				i := int(next.Add(1)) - 1
				if i >= cycles {
					return
				}
				reset := resetEvery > 0 && i%resetEvery == resetEvery-1
				t0 := time.Now()
				err := cycle(addr, msg, buf, reset)
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					if r.Errors == 0 {
						r.FirstError = err.Error()
					}
					r.Errors++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	r.CyclesPerSec = float64(cycles) / took.Seconds()
	if resetEvery > 0 {
		r.Resets = cycles / resetEvery
	}
	slices.Sort(lat)
	r.P50MS, r.P99MS, r.MaxMS = ms(lat[cycles/2]), ms(lat[cycles*99/100]), ms(lat[cycles-1])
	time.Sleep(settle) // the server closes what the last cycles left
	if r.After, err = proc.ReadWith(pid, debugAddr); err != nil {
		return err
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		return err
	}
	if r.Errors > 0 {
		return fmt.Errorf("%d cycles failed, the first: %s", r.Errors, r.FirstError)
	}
	return nil
}

// cycle connects, echoes msg and closes; with reset it sends half of msg
// and resets the connection instead.
func cycle(addr string, msg, buf []byte, reset bool) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	tc := c.(*net.TCPConn)
	defer tc.Close()
	if err := tc.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	if reset {
		if _, err := tc.Write(msg[:len(msg)/2]); err != nil {
			return err
		}
		return tc.SetLinger(0) // the deferred Close sends a reset
	}
	if _, err := tc.Write(msg); err != nil {
		return err
	}
	if _, err := io.ReadFull(tc, buf); err != nil {
		return err
	}
	if !bytes.Equal(buf, msg) {
		return errors.New("the echo differs from what was sent")
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
