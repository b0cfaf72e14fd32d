// Package proc is what the measuring tools of internal/bench and the soak
// test read of a server process (from /proc, on Linux), and the check that
// they only talk to loopback addresses.
package proc

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// Stat is a process's memory, threads and descriptors.
type Stat struct {
	RSSKiB  int `json:"RSSKiB"` // resident memory
	HWMKiB  int `json:"HWMKiB"` // its high-water mark
	Threads int `json:"Threads"`
	FDs     int `json:"FDs"` // open descriptors
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
