package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/examples/internal/extest"
	"github.com/kamgen/kamgen/internal/browsertest"
)

var writeLivePicture = flag.Bool("write-live-picture", false, "photograph the live picture of the server under load into docs/img/live-picture.png (needs Chromium)")

// The screenshot in docs/observing.md is the live picture of the Markov
// server while 300 clients chat and 4 send without ever reading:
//
//	go test ./examples/markov -run TestLivePictureUnderLoad -write-live-picture
func TestLivePictureUnderLoad(t *testing.T) {
	if !*writeLivePicture {
		t.Skip("run with -write-live-picture to photograph the live picture into docs/img/live-picture.png")
	}
	debug := make(chan string, 1)
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		obs := exmain.Observe{DebugAddr: "127.0.0.1:0", Listening: func(a string) { debug <- a }}
		return serve(ctx, obs, "127.0.0.1:0", &Chain{Store: NewMemoryStore()}, ready)
	})
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	words := strings.Fields("the cat sat on the mat and a dog ate the fish while the bird sang on the wire")
	for i := range 300 { // chatters: a line every 50 ms, replies read
		c := extest.Dial(t, srv.Addr)
		wg.Go(func() {
			go func() { _, _ = io.Copy(io.Discard, c) }()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for n := i; ctx.Err() == nil; n++ {
				line := fmt.Sprintf("%s %s %s\n", words[n%len(words)], words[(n*7)%len(words)], words[(n*3)%len(words)])
				if _, err := c.Write([]byte(line)); err != nil {
					return
				}
				select {
				case <-ctx.Done():
				case <-tick.C:
				}
			}
		})
	}
	for range 4 { // clients that send and never read: their boxes fill
		c := extest.Dial(t, srv.Addr)
		wg.Go(func() {
			line := []byte(strings.Repeat("the cat sat on the mat\n", 100))
			for ctx.Err() == nil {
				_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				if _, err := c.Write(line); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
					return
				}
			}
		})
	}
	addr := <-debug
	b := browsertest.Start(t, 1600, 1000)
	step := func(d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, done := context.WithTimeout(b, d)
		defer done()
		require.NoError(t, chromedp.Do(sctx, steps...))
	}
	step(15*time.Second, chromedp.Navigate("http://"+addr+"/debug/kamgen/"))
	step(15*time.Second, chromedp.WaitVisible(chromedp.CSS(`#conns tbody tr:nth-child(20)`)))
	// A page that has drawn its connections, one of them at least half
	// full; then one more redraw, so that the layout has settled.
	drawn, err := chromedp.Run(b, chromedp.Poll[bool](`cy.nodes(".conn").length >= 20 && cy.nodes(".box").some((n) => n.data("fill") >= 0.5)`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	require.NoError(t, err)
	require.True(t, drawn)
	step(5*time.Second, chromedp.WaitVisible(chromedp.CSS(`#status`)), chromedp.Sleep(1500*time.Millisecond))
	shot, err := chromedp.Run(b, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile("../../docs/img/live-picture.png", shot, 0o644))
}
