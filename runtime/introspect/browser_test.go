package introspect_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kamgen/kamgen/internal/browsertest"
	"github.com/stretchr/testify/require"
)

// TestPageDrawsLiveConnections loads the page in Chromium from a server
// with live connections, through the DevTools protocol: each connection is
// listed with its peer address and port and drawn in the graph; one its
// client closes disappears within a few seconds. The page's screenshot is
// written to the test's artifact directory (go test -artifacts keeps it).
func TestPageDrawsLiveConnections(t *testing.T) {
	ctx := browsertest.Start(t, 1400, 900) // every step below has its own deadline
	l := startLive(t)
	clients := []net.Conn{l.dial(t), l.dial(t), l.dial(t)}
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
