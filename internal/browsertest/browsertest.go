// Package browsertest runs a real Chromium for tests, through the Chrome
// DevTools Protocol (chromedp), installing the Debian package with apt-get
// when it is missing and the tests run as root. Without a Chromium a test
// is skipped, except under CI (CI=true), where it fails.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Start starts a headless Chromium with a window of width×height and
// returns its chromedp context; the browser is closed when the test ends.
// The browser is already running: a deadline on a context derived from
// the one returned bounds one step, not the browser's life.
func Start(t testing.TB, width, height int) context.Context {
	t.Helper()
	bin := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // root in a container has no user namespace for Chromium's sandbox
		chromedp.DisableGPU,
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", bin, err)
	}
	return ctx
}

var install sync.Mutex

// Chromium returns the path of a Chromium, installing the Debian package
// with apt-get when none is found and the tests run as root. Without one,
// the test is skipped, unless it runs under CI (CI=true), where it fails.
func Chromium(t testing.TB) string {
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
