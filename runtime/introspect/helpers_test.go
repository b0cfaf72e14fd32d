package introspect_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/introspect"
	"github.com/stretchr/testify/require"
)

// echo sends back what it receives: the handler of the test server,
// written by hand the way kamgen generates one.
type echo struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
}

func newEcho() *echo {
	e := &echo{}
	e.In.Init(&e.Component, "inbox", 8)
	e.Control.Init(&e.Component, "control", 0)
	e.Out.Init(&e.Component, "outbox", 0)
	e.Signal.Init(&e.Component, "signal", 0)
	return e
}

func (e *echo) StdInbox() *axon.Inbox[[]byte]        { return &e.In }
func (e *echo) StdControl() *axon.Inbox[axon.Signal] { return &e.Control }
func (e *echo) StdOutbox() *axon.Outbox[[]byte]      { return &e.Out }
func (e *echo) StdSignal() *axon.Outbox[axon.Signal] { return &e.Signal }
func (e *echo) Dispatch(t *axon.Turn) {
	axon.Serve(t, &e.In, e.onIn)
	axon.ServeLast(t, &e.Control, e.onControl)
}
func (e *echo) onIn(b []byte)             { e.Out.Send(append([]byte(nil), b...)) }
func (e *echo) onControl(sig axon.Signal) { e.Signal.Send(sig); e.Stop() }

// live is an echo server with its picture served over HTTP.
type live struct {
	rt   *axon.Runtime
	srv  *chassis.ServerCore
	page *httptest.Server // the Handler, mounted at /debug/kamgen/
}

// startLive starts an echo server on 127.0.0.1 and the picture of its
// runtime; both stop when the test ends.
func startLive(t testing.TB) *live {
	t.Helper()
	return startLiveWith(t, chassis.Handler(newEcho))
}

// startLiveWith is startLive with another handler.
func startLiveWith(t testing.TB, factory chassis.Factory) *live {
	t.Helper()
	rt := axontest.Runtime(t)
	srv, err := chassis.NewServerCore("127.0.0.1:0", factory, chassis.ServerOptions{})
	require.NoError(t, err)
	require.NoError(t, rt.Activate(srv))
	mux := http.NewServeMux()
	mux.Handle("/debug/kamgen/", introspect.Handler(rt))
	page := httptest.NewServer(mux)
	t.Cleanup(page.Close)
	return &live{rt: rt, srv: srv, page: page}
}

// dial connects a client and has one line echoed, so that the connection
// is served when it returns. The client is closed when the test ends.
func (l *live) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", l.srv.Addr().String(), axontest.Timeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(axontest.Timeout)))
	_, err = c.Write([]byte("hello\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "hello\n", line)
	require.NoError(t, c.SetDeadline(time.Time{}))
	return c
}

// get fetches path from the picture's server.
func (l *live) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: axontest.Timeout}
	resp, err := client.Get(l.page.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// snapshot fetches and decodes a snapshot.
func (l *live) snapshot(t *testing.T, query string) introspect.Snapshot {
	t.Helper()
	resp, body := l.get(t, "/debug/kamgen/snapshot.json"+query)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var s introspect.Snapshot
	require.NoError(t, json.Unmarshal(body, &s))
	return s
}

// eventually waits, polling every 20 ms, until cond holds, or fails the
// test after the deadline.
func eventually(t *testing.T, what string, deadline time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %v waiting for %s", deadline, what)
		}
		<-tick.C
	}
}
