package introspect_test

import (
	"bytes"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/introspect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func nodeByID(s introspect.Snapshot, id uint64) (introspect.Node, bool) {
	for _, n := range s.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return introspect.Node{}, false
}

func connByPeer(s introspect.Snapshot, peer string) (introspect.Conn, bool) {
	for _, c := range s.Conns {
		if c.Peer == peer {
			return c, true
		}
	}
	return introspect.Conn{}, false
}

func TestSnapshotShowsEachConnectionWithItsComponents(t *testing.T) {
	l := startLive(t)
	clients := []net.Conn{l.dial(t), l.dial(t), l.dial(t)}

	var s introspect.Snapshot
	// A client may read its echo before the adapter that wrote it has
	// counted the bytes: wait for the counts too.
	eventually(t, "three connections in the snapshot, each with its echo written", 5*time.Second, func() bool {
		s = l.snapshot(t, "")
		return s.Connections == 3 && len(s.Groups) == 1 && s.Groups[0].BytesOut == 18
	})
	require.Len(t, s.Conns, 3)
	assert.Positive(t, s.Total)
	for _, cl := range clients {
		peer := cl.LocalAddr().String()
		c, ok := connByPeer(s, peer)
		require.True(t, ok, "connection from %s not in %+v", peer, s.Conns)
		assert.Equal(t, cl.RemoteAddr().String(), c.Local)
		assert.Equal(t, "*introspect_test.echo", c.Handler)
		assert.EqualValues(t, 6, c.BytesIn)
		assert.EqualValues(t, 6, c.BytesOut)
		assert.GreaterOrEqual(t, c.Age, 0.0)
		require.Len(t, c.Components, 2, "the adapter and its handler")
		server, ok := nodeByID(s, c.Server)
		require.True(t, ok)
		assert.Equal(t, "*chassis.ServerCore", server.Type)
		for _, id := range c.Components {
			n, ok := nodeByID(s, id)
			require.True(t, ok, "component %d of %s not among the nodes", id, peer)
			assert.Equal(t, c.ID, n.Conn)
			assert.Equal(t, c.Server, n.Parent)
		}
		adapter, _ := nodeByID(s, c.ID)
		assert.Equal(t, "*internet.ConnectedSocketAdapter", adapter.Type)
		// The handler's outbox goes to the adapter's inbox, and the other
		// way round.
		h := c.Components[slices.IndexFunc(c.Components, func(id uint64) bool { return id != c.ID })]
		assert.Contains(t, s.Links, introspect.Link{From: h, FromBox: "outbox", To: c.ID, ToBox: "inbox"})
		assert.Contains(t, s.Links, introspect.Link{From: c.ID, FromBox: "outbox", To: h, ToBox: "inbox"})
		hn, _ := nodeByID(s, h)
		in := hn.Boxes[slices.IndexFunc(hn.Boxes, func(b introspect.Box) bool { return b.Name == "inbox" })]
		assert.Equal(t, introspect.Box{Name: "inbox", Dir: "in", Len: 0, Cap: 8}, in)
	}
	require.Len(t, s.Groups, 1)
	assert.Equal(t, introspect.Group{Server: s.Conns[0].Server, Handler: "*introspect_test.echo", Count: 3, Shown: 3,
		BytesIn: 18, BytesOut: 18}, s.Groups[0])

	// A client that closes its side disappears.
	gone := clients[1].LocalAddr().String()
	require.NoError(t, clients[1].Close())
	eventually(t, "the closed connection to go", 5*time.Second, func() bool {
		s = l.snapshot(t, "")
		_, ok := connByPeer(s, gone)
		return !ok && s.Connections == 2
	})
}

// A handler that is a pipeline belongs to its connection with every stage.
func TestSnapshotGroupsAPipelineHandler(t *testing.T) {
	l := startLiveWith(t, chassis.Handler(func() *chassis.Pipeline[[]byte, []byte] {
		return chassis.Pipeline2[[]byte, []byte, []byte](newEcho(), newEcho())
	}))
	cl := l.dial(t)
	var s introspect.Snapshot
	eventually(t, "the connection in the snapshot", 5*time.Second, func() bool {
		s = l.snapshot(t, "")
		return s.Connections == 1
	})
	c, ok := connByPeer(s, cl.LocalAddr().String())
	require.True(t, ok)
	assert.Equal(t, "*chassis.Pipeline[[]uint8,[]uint8]", c.Handler)
	require.Len(t, c.Components, 4, "the adapter, the pipeline and its two stages")
	stages := 0
	for _, id := range c.Components {
		n, ok := nodeByID(s, id)
		require.True(t, ok)
		assert.Equal(t, c.ID, n.Conn)
		if n.Type == "*introspect_test.echo" {
			stages++
		}
	}
	assert.Equal(t, 2, stages)
	// The adapter sends to the first stage, the last stage to the adapter.
	first, last := false, false
	for _, k := range s.Links {
		first = first || k.From == c.ID && k.FromBox == "outbox" && k.ToBox == "inbox" && slices.Contains(c.Components, k.To)
		last = last || k.To == c.ID && k.ToBox == "inbox" && k.FromBox == "outbox" && slices.Contains(c.Components, k.From)
	}
	assert.True(t, first && last, "links %+v", s.Links)
}

func TestSnapshotIsBounded(t *testing.T) {
	l := startLive(t)
	for range 12 {
		l.dial(t)
	}
	var s introspect.Snapshot
	eventually(t, "twelve connections", 5*time.Second, func() bool {
		s = l.snapshot(t, "?conns=4")
		return s.Connections == 12
	})
	assert.Len(t, s.Conns, 4)
	require.Len(t, s.Groups, 1)
	assert.Equal(t, 12, s.Groups[0].Count)
	assert.Equal(t, 4, s.Groups[0].Shown)
	shown := map[uint64]bool{}
	for _, c := range s.Conns {
		shown[c.ID] = true
	}
	for _, n := range s.Nodes {
		if n.Conn != 0 {
			assert.True(t, shown[n.Conn], "a component of a connection not shown: %+v", n)
		}
	}
	assert.Len(t, l.snapshot(t, "?conns=0").Conns, 0)
}

func TestHandlerRoutes(t *testing.T) {
	l := startLive(t)
	for _, tc := range []struct {
		path, method string
		status       int
		typ, has     string
	}{
		{"/debug/kamgen/", "GET", http.StatusOK, "text/html", "cytoscape.min.js"},
		{"/debug/kamgen/index.html", "GET", http.StatusOK, "text/html", "page.js"},
		{"/debug/kamgen/page.js", "GET", http.StatusOK, "text/javascript", "snapshot.json"},
		{"/debug/kamgen/cytoscape.min.js", "GET", http.StatusOK, "text/javascript", "cytoscape"},
		{"/debug/kamgen/cytoscape-dagre.min.js", "GET", http.StatusOK, "text/javascript", "dagre"},
		{"/debug/kamgen/snapshot.json", "GET", http.StatusOK, "application/json", `"connections":0`},
		{"/debug/kamgen/snapshot.json?conns=x", "GET", http.StatusBadRequest, "text/plain", "conns"},
		{"/debug/kamgen/snapshot.json?conns=-1", "GET", http.StatusBadRequest, "text/plain", "conns"},
		{"/debug/kamgen/nothing.txt", "GET", http.StatusNotFound, "text/plain", ""},
		{"/debug/kamgen/snapshot.json", "POST", http.StatusMethodNotAllowed, "text/plain", ""},
	} {
		req, err := http.NewRequest(tc.method, l.page.URL+tc.path, strings.NewReader(""))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		assert.Contains(t, resp.Header.Get("Content-Type"), tc.typ, "%s %s", tc.method, tc.path)
		assert.Contains(t, body.String(), tc.has, "%s %s", tc.method, tc.path)
	}
	_, page := l.get(t, "/debug/kamgen/")
	assert.NotRegexp(t, `(src|href)="(https?:)?//`, string(page), "the page loads nothing from elsewhere")
}
