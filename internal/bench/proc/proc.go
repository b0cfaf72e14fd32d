// Package proc is what the measuring tools of internal/bench and the soak
// test read of a server process (from /proc, on Linux), and the check that
// they only talk to loopback addresses.
package proc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Stat is a process's memory, threads and descriptors, and its goroutines
// when it serves Go's profiles (see Goroutines).
type Stat struct {
	RSSKiB     int `json:"RSSKiB"` // resident memory
	HWMKiB     int `json:"HWMKiB"` // its high-water mark
	Threads    int `json:"Threads"`
	FDs        int `json:"FDs"`                  // open descriptors
	Goroutines int `json:"Goroutines,omitempty"` // 0: not known
}

// ReadWith is Read, with the goroutines of a process that serves Go's
// profiles at debugAddr (an example's -debug-addr); none when it is "".
func ReadWith(pid int, debugAddr string) (Stat, error) {
	s, err := Read(pid)
	if err != nil || debugAddr == "" {
		return s, err
	}
	s.Goroutines, err = Goroutines(debugAddr)
	return s, err
}

// Goroutines returns how many goroutines the process serving Go's profiles
// at debugAddr (net/http/pprof, under /debug/pprof/) has: the first line
// of its goroutine profile, "goroutine profile: total N".
func Goroutines(debugAddr string) (int, error) {
	if err := Loopback(debugAddr); err != nil {
		return 0, err
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: goroutine profile: %s", debugAddr, resp.Status)
	}
	var n int
	if _, serr := fmt.Sscanf(line, "goroutine profile: total %d", &n); serr != nil {
		return 0, fmt.Errorf("%s: goroutine profile begins %q: %w", debugAddr, line, errors.Join(serr, err))
	}
	return n, nil
}

// Read reads pid's Stat.
func Read(pid int) (Stat, error) {
	var s Stat
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.Lines(string(b)) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(strings.Fields(v + " 0")[0])
		switch k {
		case "VmRSS":
			s.RSSKiB = n
		case "VmHWM":
			s.HWMKiB = n
		case "Threads":
			s.Threads = n
		}
	}
	s.FDs, err = FDs(pid)
	return s, err
}

// FDs counts pid's open descriptors.
func FDs(pid int) (int, error) {
	es, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(es), err
}

// CPUTicks returns pid's user and system time, in clock ticks (USER_HZ,
// 100 a second on Linux).
func CPUTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which ends with the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return utime + stime, nil
}

// Loopback returns an error unless addr is a loopback host:port.
func Loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", addr)
	}
	return nil
}
