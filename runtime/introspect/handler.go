package introspect

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

//go:embed page/index.html page/page.js page/cytoscape.min.js page/cytoscape-dagre.min.js
var pageFiles embed.FS

// fresh is how long a snapshot is served again rather than taken anew: a
// page open in several browsers costs one walk per period, not one each.
const fresh = 250 * time.Millisecond

// Handler serves the live picture of rt: a page that draws its components
// as a graph and updates itself every second, and the JSON snapshot it
// draws (see Snapshot). Mount it under a path that ends with a slash,
// next to net/http/pprof:
//
//	mux.Handle("/debug/kamgen/", introspect.Handler(rt))
//
// It serves, below that path:
//
//	""              the page (everything it needs is embedded: it works offline)
//	snapshot.json   a Snapshot; ?conns=N shows the N slowest and fullest
//	                connections in detail (default 50, at most 1000)
//
// Taking a snapshot stops nothing: it walks the components while they run
// (axon.Runtime.Walk), taking briefly the locks a message takes, and
// requests that come within 250 ms of one another share one snapshot.
// Serve it on a loopback address or behind authentication: it shows every
// client's address.
func Handler(rt *axon.Runtime) http.Handler {
	return &handler{rt: rt}
}

type handler struct {
	rt *axon.Runtime

	mu    sync.Mutex // one snapshot is taken at a time; guards what follows
	w     walker
	last  *Snapshot
	at    time.Time
	shown int
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	name := path.Base(p)
	switch {
	case strings.HasSuffix(p, "/") || name == "index.html":
		h.file(w, r, "index.html", "text/html; charset=utf-8")
	case name == "snapshot.json":
		h.snapshot(w, r)
	case name == "page.js" || name == "cytoscape.min.js" || name == "cytoscape-dagre.min.js":
		h.file(w, r, name, "text/javascript; charset=utf-8")
	case !strings.Contains(name, "."):
		// Mounted without its slash: the page's relative links need it.
		http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) file(w http.ResponseWriter, r *http.Request, name, typ string) {
	b, err := fs.ReadFile(pageFiles, "page/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(b)
}

func (h *handler) snapshot(w http.ResponseWriter, r *http.Request) {
	shown := defaultConns
	if v := r.URL.Query().Get("conns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			http.Error(w, "conns: want a number of connections, 0 or more", http.StatusBadRequest)
			return
		}
		shown = min(n, maxConns)
	}
	if h.rt == nil {
		http.Error(w, "no runtime", http.StatusServiceUnavailable)
		return
	}
	s := h.take(shown)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(s)
}

// take returns a snapshot that shows shown connections, taken now or less
// than fresh ago.
func (h *handler) take(shown int) *Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last != nil && h.shown == shown && time.Since(h.at) < fresh {
		return h.last
	}
	h.last, h.at, h.shown = h.w.take(h.rt, shown), time.Now(), shown
	return h.last
}
