package introspect_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestPageDrawsLiveConnections loads the page in Chromium from a server
// with live connections, through the DevTools protocol: each connection is
// listed with its peer address and port and drawn in the graph; one its
// client closes disappears within a few seconds. The page's screenshot is
// written to the test's artifact directory (go test -artifacts keeps it).
func TestPageDrawsLiveConnections(t *testing.T) {
	bin := chromium(t)
	l := startLive(t)
	clients := []net.Conn{l.dial(t), l.dial(t), l.dial(t)}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in a container has no user namespace for Chromium's sandbox
		chromedp.DisableGPU,
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer func() {
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it
		cancel()
	}()
	// Starts the browser, with no deadline on its life; every step below
	// has its own.
	require.NoError(t, chromedp.Do(ctx), "starting Chromium (%s)", bin)
	step := func(d time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, done := context.WithTimeout(ctx, d)
		defer done()
		require.NoError(t, chromedp.Do(sctx, steps...), what)
	}
	listed := func(peer string) chromedp.Action[chromedp.Void] {
		return chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#conns tr[data-peer=%q]`, peer)))
	}
	// drawn is the Cytoscape selector of a connection's frame.
	drawn := func(peer string) string { return strconv.Quote(fmt.Sprintf(`node.conn[peer = %q]`, peer)) }

	step(15*time.Second, "loading the page", chromedp.Navigate(l.page.URL+"/debug/kamgen/"))
	for _, c := range clients {
		peer := c.LocalAddr().String()
		step(10*time.Second, "the connection from "+peer+" listed", listed(peer))
		// Its frame holds the adapter and the handler, each with its boxes.
		step(10*time.Second, "the connection from "+peer+" drawn",
			pollTrue(fmt.Sprintf(`window.cy && cy.nodes(%s).length === 1 && cy.nodes(%s).children().length === 2 &&
				cy.nodes(%s).children().children(".box").length >= 8`, drawn(peer), drawn(peer), drawn(peer))))
	}
	// Linked both ways, adapter and handler.
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`cy.edges(".link").length`))
	require.NoError(t, err)
	require.GreaterOrEqual(t, links, 2*len(clients))

	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	file := filepath.Join(t.ArtifactDir(), "live-picture.png")
	require.NoError(t, os.WriteFile(file, shot, 0o644))
	t.Logf("screenshot: %s (%d bytes)", file, len(shot))

	gone := clients[1].LocalAddr().String()
	require.NoError(t, clients[1].Close())
	step(5*time.Second, "the connection from "+gone+" gone from the page",
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf(`#conns tr[data-peer=%q]`, gone))),
		pollTrue(fmt.Sprintf(`cy.nodes(%s).length === 0`, drawn(gone))))
	for _, c := range []net.Conn{clients[0], clients[2]} {
		step(2*time.Second, "the other connections still listed", listed(c.LocalAddr().String()))
	}
}

// pollTrue waits until the JavaScript expression is true, for as long as
// the step's context allows.
func pollTrue(expr string) chromedp.Action[chromedp.Void] {
	poll := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, t)
		return chromedp.Void{}, err
	}
}

var install sync.Mutex

// chromium returns the path of a Chromium, installing the Debian package
// with apt-get when none is found and the tests run as root. Without one,
// the test is skipped, unless it runs under CI (CI=true), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	install.Lock()
	defer install.Unlock()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}
	find := func() string {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	if p := find(); p != "" {
		return p
	}
	missing := func(why string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(why, args...) + ": install Chromium (Debian, Ubuntu: sudo apt-get install -y chromium) to run the browser test"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	apt, err := exec.LookPath("apt-get")
	if os.Geteuid() != 0 || err != nil {
		missing("no Chromium found (%v), and no apt-get run as root to install it", names)
	}
	t.Log("Chromium is missing: apt-get install -y chromium")
	get := func() ([]byte, error) {
		cmd := exec.Command(apt, "install", "-y", "-q", "chromium")
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.CombinedOutput()
	}
	if out, err := get(); err != nil {
		t.Logf("apt-get install failed (%v), updating the package lists first:\n%s", err, out)
		if out, err := exec.Command(apt, "update", "-q").CombinedOutput(); err != nil {
			missing("apt-get update: %v\n%s", err, out)
		}
		if out, err := get(); err != nil {
			missing("apt-get install -y chromium: %v\n%s", err, out)
		}
	}
	p := find()
	if p == "" {
		missing("Chromium still missing after apt-get install")
	}
	return p
}
