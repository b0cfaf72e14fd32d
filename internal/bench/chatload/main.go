// Chatload measures a chat server (examples/chat, examples/chat/plain)
// under load: -clients clients connect and wait until every one of them
// has heard the last one join; then each says -rate lines a second,
// evenly spaced, each client starting at a random phase so that the lines
// are spread over the second and never said all at once. A line carries
// the time it was sent ("t=<unix nanoseconds>" and padding up to -size
// bytes); every client reads everything it is sent and, for the lines of
// the others, records how long they took to come.
//
// After -warmup, it measures for -duration: the lines delivered (a server
// delivers each line to every other client: clients*(clients-1)*rate a
// second are expected), the delivery latency (p50, p99, max, from a
// log-linear histogram exact to about 6%), and the server's CPU time, read
// from /proc at the start and the end of the window, in clock ticks of
// 1/100 s: cpu_us_per_delivered_line is ticks*10,000/delivered,
// server_cpu_percent ticks/duration. Errors are clients disconnected, or
// whose writes failed, before the end. It prints one JSON line.
//
//	go run ./internal/bench/chatload -addr 127.0.0.1:1502 -pid $(pidof chat) -clients 1000
//
// It only talks to loopback addresses.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/internal/bench/proc"
)

// usPerTick is the length of a clock tick of /proc/PID/stat (USER_HZ, 100
// a second on Linux), in microseconds.
const usPerTick = 10_000

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "", "chat server address (loopback only)")
	flag.IntVar(&c.pid, "pid", 0, "the server's process id, whose CPU time is read")
	flag.IntVar(&c.clients, "clients", 1000, "clients connected at once")
	flag.Float64Var(&c.rate, "rate", 1, "lines a second each client says")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&c.warmup, "warmup", 3*time.Second, "how long the clients talk before measuring")
	flag.DurationVar(&c.settle, "settle", 5*time.Second, "how long to wait, at most, for every client to hear the last one join")
	flag.IntVar(&c.size, "size", 64, "bytes in a line, without its \"\\n\" (at least the send time's 21)")
	flag.IntVar(&c.dialers, "dialers", 32, "clients connecting at a time")
	flag.StringVar(&c.label, "label", "", "free text copied into the output")
	cpuprofile := flag.String("cpuprofile", "", "write this program's CPU profile to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "chatload:", err)
			os.Exit(1)
		}
	}
	status := report(c)
	pprof.StopCPUProfile() // nothing when not profiling
	os.Exit(status)
}

// report runs the load and prints its result; it returns the exit status.
func report(c config) int {
	r, err := run(c)
	if err == nil {
		err = json.NewEncoder(os.Stdout).Encode(r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chatload:", err)
		return 1
	}
	if r.Errors > 0 {
		fmt.Fprintf(os.Stderr, "chatload: %d errors, the first: %s\n", r.Errors, r.FirstError)
		return 1
	}
	return 0
}

type config struct {
	addr                     string
	pid                      int
	clients                  int
	rate                     float64
	duration, warmup, settle time.Duration
	size, dialers            int
	label                    string
	noCPU                    bool // do not read the server's CPU time (the tests' server is this process)
}

type result struct {
	Label     string  `json:"label,omitempty"`
	Clients   int     `json:"clients"`
	Rate      float64 `json:"rate"`
	Size      int     `json:"size"`
	DurationS float64 `json:"duration_s"`
	// SetupS is how long it took to connect every client and for every
	// client to hear the last one join.
	SetupS float64 `json:"setup_s"`
	// Heard is how many clients heard the last one join within -settle.
	Heard int `json:"heard_last_join"`
	// Sent is the lines said in the window; Expected the deliveries the
	// flags ask for, clients*(clients-1)*rate*duration.
	Sent      int64 `json:"sent"`
	Expected  int64 `json:"expected"`
	Delivered int64 `json:"delivered"`
	// DeliveredRatio is Delivered/Expected.
	DeliveredRatio   float64 `json:"delivered_ratio"`
	DeliveredPerSec  float64 `json:"delivered_per_s"`
	P50MS            float64 `json:"p50_ms"`
	P99MS            float64 `json:"p99_ms"`
	MaxMS            float64 `json:"max_ms"`
	ServerCPUTicks   int64   `json:"server_cpu_ticks"`
	ServerCPUPercent float64 `json:"server_cpu_percent"`
	// CPUUsPerLine is the server's CPU time per line delivered, in
	// microseconds.
	CPUUsPerLine float64 `json:"cpu_us_per_delivered_line"`
	// LoadCPUPercent is this program's CPU use in the window: on a small
	// machine it competes with the server's.
	LoadCPUPercent float64 `json:"load_cpu_percent"`
	// Errors is the clients disconnected, or whose writes failed, before
	// the end; FirstErrorS when the first was, in seconds from the time
	// the clients started talking (negative: while connecting).
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	FirstErrorS float64 `json:"first_error_s,omitempty"`
	// Server is the server's memory, threads and descriptors at the end
	// of the window.
	Server proc.Stat `json:"server"`
}

// window is the time lines are counted in, in Unix nanoseconds: from its
// start, up to its end. Until it is set both are 0, and nothing counts.
type window struct{ from, to atomic.Int64 }

func (w *window) in(t int64) bool { return t >= w.from.Load() && t < w.to.Load() }

// client is one connection to the chat.
type client struct {
	conn   *net.TCPConn
	r      *bufio.Reader
	guest  int64        // the number of its guest nick
	heard  atomic.Int64 // the highest guest number it has heard join
	failed atomic.Bool  // its connection failed: an error, counted once

	// What its reader counted in the window, read once it has ended.
	hist      histogram
	delivered int64
	sent      int64 // by its sender
}

// load is a run: its clients and what they share.
type load struct {
	cfg      config
	win      window
	stopping atomic.Bool // closing the connections: their errors are not errors

	mu         sync.Mutex
	errors     int
	firstError string
	firstAt    time.Time
}

// fail counts c's error err, once for each client, unless the run is
// ending.
func (l *load) fail(c *client, err error) {
	if l.stopping.Load() || c.failed.Swap(true) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.errors == 0 {
		l.firstError = fmt.Sprintf("guest%d: %v", c.guest, err)
		l.firstAt = time.Now()
	}
	l.errors++
}

func run(cfg config) (*result, error) {
	if err := proc.Loopback(cfg.addr); err != nil {
		return nil, err
	}
	if cfg.pid <= 0 && !cfg.noCPU {
		return nil, errors.New("-pid is required")
	}
	if cfg.clients < 2 || cfg.rate <= 0 || cfg.duration <= 0 || cfg.warmup < 0 || cfg.dialers < 1 {
		return nil, errors.New("-clients must be at least 2, -rate and -duration positive")
	}
	l := &load{cfg: cfg}
	res := &result{Label: cfg.label, Clients: cfg.clients, Rate: cfg.rate, Size: cfg.size, DurationS: cfg.duration.Seconds()}

	setup := time.Now()
	clients, err := l.connect()
	var readers sync.WaitGroup
	for _, c := range clients {
		readers.Go(func() { l.read(c) })
	}
	closeAll := func() {
		l.stopping.Store(true)
		for _, c := range clients {
			c.conn.Close()
		}
		readers.Wait()
	}
	if err != nil {
		closeAll()
		return nil, err
	}
	res.Heard = l.settle(clients)
	res.SetupS = time.Since(setup).Seconds()

	interval := time.Duration(float64(time.Second) / cfg.rate)
	start := time.Now().Add(100 * time.Millisecond)
	from := start.Add(cfg.warmup)
	to := from.Add(cfg.duration)
	l.win.from.Store(from.UnixNano())
	l.win.to.Store(to.UnixNano())
	var senders sync.WaitGroup
	for _, c := range clients {
		phase := rand.N(interval)
		senders.Go(func() { l.send(c, start.Add(phase), interval, to) })
	}

	time.Sleep(time.Until(from))
	cpu0, self0, err := l.ticks()
	if err != nil {
		closeAll()
		return nil, err
	}
	time.Sleep(time.Until(to))
	cpu1, self1, err := l.ticks()
	if err != nil {
		closeAll()
		return nil, err
	}
	if !cfg.noCPU {
		if res.Server, err = proc.Read(cfg.pid); err != nil {
			closeAll()
			return nil, err
		}
	}
	// The lines said just before the end are on their way: they arrive
	// after it and are not counted, as those said before the start that
	// arrive after it are.
	senders.Wait()
	closeAll()

	var all totals
	for _, c := range clients {
		all.merge(&c.hist)
		res.Delivered += c.delivered
		res.Sent += c.sent
	}
	secs := cfg.duration.Seconds()
	res.Expected = int64(float64(cfg.clients) * float64(cfg.clients-1) * cfg.rate * secs)
	if res.Expected > 0 {
		res.DeliveredRatio = round(float64(res.Delivered)/float64(res.Expected), 4)
	}
	res.DeliveredPerSec = round(float64(res.Delivered)/secs, 1)
	res.P50MS = float64(all.quantile(0.50)) / 1000
	res.P99MS = float64(all.quantile(0.99)) / 1000
	res.MaxMS = float64(all.max) / 1000
	res.ServerCPUTicks = cpu1 - cpu0
	res.ServerCPUPercent = round(float64(res.ServerCPUTicks*usPerTick)/float64(cfg.duration.Microseconds())*100, 1)
	if res.Delivered > 0 {
		res.CPUUsPerLine = round(float64(res.ServerCPUTicks*usPerTick)/float64(res.Delivered), 3)
	}
	res.LoadCPUPercent = round(float64((self1-self0)*usPerTick)/float64(cfg.duration.Microseconds())*100, 1)
	res.Errors, res.FirstError = l.errors, l.firstError
	if l.errors > 0 {
		res.FirstErrorS = round(l.firstAt.Sub(start).Seconds(), 3)
	}
	return res, nil
}

// ticks returns the CPU time of the server and of this process, in clock
// ticks.
func (l *load) ticks() (server, self int64, err error) {
	if self, err = proc.CPUTicks(os.Getpid()); err != nil || l.cfg.noCPU {
		return 0, self, err
	}
	server, err = proc.CPUTicks(l.cfg.pid)
	return server, self, err
}

// connect connects every client, -dialers at a time, and reads its
// welcome. It returns the clients connected, with the first error.
func (l *load) connect() ([]*client, error) {
	clients := make([]*client, l.cfg.clients)
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(l.cfg.dialers, l.cfg.clients) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(clients) {
					return
				}
				c, err := l.dial()
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				stop := first != nil
				mu.Unlock()
				if c != nil {
					clients[i] = c
				}
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	connected := clients[:0]
	for _, c := range clients {
		if c != nil {
			connected = append(connected, c)
		}
	}
	return connected, first
}

// dial connects one client and reads its welcome, "* welcome, guestN: ...".
func (l *load) dial() (*client, error) {
	conn, err := net.DialTimeout("tcp", l.cfg.addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := &client{conn: conn.(*net.TCPConn), r: bufio.NewReader(conn)}
	if err := c.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		conn.Close()
		return nil, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("reading the welcome: %w", err)
	}
	guest, ok := guestNumber(line, "* welcome, guest", ':')
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("not a welcome: %q", line)
	}
	c.guest = guest
	if err := c.conn.SetReadDeadline(time.Time{}); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// settle waits until every client has heard the one that joined last
// join, or -settle has passed, and returns how many have.
func (l *load) settle(clients []*client) int {
	var last int64
	for _, c := range clients {
		last = max(last, c.guest)
	}
	deadline := time.Now().Add(l.cfg.settle)
	for {
		heard := 0
		for _, c := range clients {
			if c.guest == last || c.heard.Load() >= last {
				heard++
			}
		}
		if heard == len(clients) || time.Now().After(deadline) {
			return heard
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// read reads what c is sent until its connection ends. A line of another
// client said in the window is counted, with its latency: the time it was
// read (the time the read that brought its last byte returned) less the
// time it was sent.
func (l *load) read(c *client) {
	var now int64
	for {
		before := c.r.Buffered()
		line, err := c.r.ReadSlice('\n')
		if len(line) > before {
			now = time.Now().UnixNano()
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // a line longer than the buffer: none of ours
		}
		if err != nil {
			l.fail(c, err)
			return
		}
		switch line[0] {
		case '<':
			if !l.win.in(now) {
				continue
			}
			if sent, ok := sendTime(line); ok {
				c.hist.add(uint64(max(now-sent, 0)) / 1000)
				c.delivered++
			}
		case '*':
			if n, ok := guestNumber(line, "* guest", ' '); ok && bytes.HasSuffix(line, []byte(" joined\n")) && n > c.heard.Load() {
				c.heard.Store(n)
			}
		}
	}
}

// send says a line for c every interval from at until end. It does not
// catch up: when it falls behind (a write that waited, a late wake-up),
// the next line goes at its time.
func (l *load) send(c *client, at time.Time, interval time.Duration, end time.Time) {
	buf := make([]byte, 0, max(l.cfg.size, 32)+1)
	for ; at.Before(end); at = at.Add(interval) {
		time.Sleep(time.Until(at))
		if late := time.Since(at); late > interval {
			at = at.Add(late / interval * interval)
		}
		now := time.Now()
		buf = append(strconv.AppendInt(append(buf[:0], "t="...), now.UnixNano(), 10), ' ')
		for len(buf) < l.cfg.size {
			buf = append(buf, 'x')
		}
		buf = append(buf, '\n')
		if err := c.conn.SetWriteDeadline(now.Add(10 * time.Second)); err != nil {
			l.fail(c, err)
			return
		}
		if _, err := c.conn.Write(buf); err != nil {
			l.fail(c, err)
			return
		}
		if l.win.in(now.UnixNano()) {
			c.sent++
		}
	}
}

// sendTime returns the send time of a line "<nick> t=<unix nanoseconds> ...".
func sendTime(line []byte) (int64, bool) {
	i := bytes.Index(line, []byte("> t="))
	if i < 0 {
		return 0, false
	}
	var t int64
	n := 0
	for _, b := range line[i+4:] {
		if b < '0' || b > '9' {
			break
		}
		t = t*10 + int64(b-'0')
		n++
	}
	return t, n > 0 && n <= 19
}

// guestNumber returns N of a line that starts with prefix and then N and
// stop ("* welcome, guest12:", "* guest12 joined").
func guestNumber(line []byte, prefix string, stop byte) (int64, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(prefix))
	if !ok {
		return 0, false
	}
	num, _, ok := bytes.Cut(rest, []byte{stop})
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	return n, err == nil
}

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return math.Round(x*p) / p
}
