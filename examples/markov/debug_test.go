package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

// With -debug-addr the server serves pprof, its metrics and its live
// picture, in which each connection shows with its peer's address and
// port.
func TestDebugAddrServesTheLivePicture(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	debug := l.Addr().String()
	require.NoError(t, l.Close())
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0", "-debug-addr", debug}, strings.NewReader(""), io.Discard, ready)
	})
	c := extest.Dial(t, srv.Addr)
	extest.Write(t, c, "the cat sat on the mat\n")
	peer := c.LocalAddr().String()

	client := &http.Client{Timeout: extest.Deadline}
	get := func(path string) (int, string) {
		resp, err := client.Get("http://" + debug + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The debug server starts as the server does: poll it.
	deadline := time.Now().Add(extest.Deadline)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		code, body := get("/debug/kamgen/snapshot.json")
		if code == http.StatusOK && strings.Contains(body, `"peer":"`+peer+`"`) {
			assert.Contains(t, body, `"handler":"*main.Chatty"`)
			break
		}
		require.True(t, time.Now().Before(deadline), "the connection from %s is not in the picture: %d %s", peer, code, body)
		<-tick.C
	}
	code, body := get("/debug/kamgen/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "cytoscape.min.js")
	code, body = get("/debug/pprof/")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "goroutine")
	code, body = get("/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "kamgen_connections_open 1\n", "the client is counted")
	assert.Contains(t, body, "kamgen_connections_accepted_total 1\n")
	assert.Contains(t, body, `kamgen_box_messages_received_total{box="inbox",component="main.Chatty"}`)
	assert.Contains(t, body, "go_goroutines ")
}
