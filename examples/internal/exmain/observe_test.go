package exmain

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/runtime/axon"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDebugAddr(t *testing.T) {
	for in, want := range map[string]string{
		"6060":           "127.0.0.1:6060",
		":6060":          "127.0.0.1:6060",
		"127.0.0.1:0":    "127.0.0.1:0",
		"[::1]:6060":     "[::1]:6060",
		"localhost:6060": "localhost:6060",
		"0.0.0.0:6060":   "0.0.0.0:6060", // named: served, with a warning
	} {
		got, err := debugAddr(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := debugAddr("1:2:3")
	assert.Error(t, err)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

func TestObserveServesTheDebugEndpoints(t *testing.T) {
	var addr string
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "kamgen_up 1\n") })
	o := Observe{
		DebugAddr: "127.0.0.1:0",
		Options:   []axon.Option{axon.WithWorkers(1)},
		Metrics:   func(*axon.Runtime) http.Handler { return metrics },
		Listening: func(a string) { addr = a },
	}
	rt, stop, err := o.Start()
	require.NoError(t, err)
	defer stop()
	defer rt.Close()
	require.NotEmpty(t, addr)
	for path, has := range map[string]string{
		"/":                           "/debug/kamgen/",
		"/debug/kamgen/":              "cytoscape",
		"/debug/kamgen/snapshot.json": `"connections":0`,
		"/debug/pprof/":               "goroutine",
		"/metrics":                    "kamgen_up 1",
	} {
		code, body := get(t, "http://"+addr+path)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Contains(t, body, has, path)
	}
	// pprof is on the debug server's own mux, not the default one.
	code, _ := get(t, "http://"+addr+"/nothing")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestObserveWithoutMetricsOrAddress(t *testing.T) {
	var addr string
	rt, stop, err := Observe{DebugAddr: "127.0.0.1:0", Metrics: func(*axon.Runtime) http.Handler { return nil }, Listening: func(a string) { addr = a }}.Start()
	require.NoError(t, err)
	code, _ := get(t, "http://"+addr+"/metrics")
	assert.Equal(t, http.StatusNotFound, code)
	stop()
	require.NoError(t, rt.Close())

	rt, stop, err = Observe{}.Start() // serves nothing
	require.NoError(t, err)
	stop()
	require.NoError(t, rt.Close())
}
