package introspect

import (
	"cmp"
	"reflect"
	"runtime"
	"slices"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// Snapshot is the live picture of a runtime at one moment: what the
// handler serves as JSON, and what its page draws. However many
// connections there are, it stays bounded: the connections are counted
// per server and handler type (Groups), and only the slowest and fullest
// are shown in detail (Conns), with their components.
type Snapshot struct {
	Taken       time.Time `json:"taken"`       // when the snapshot was taken
	TookMicros  int64     `json:"tookMicros"`  // how long taking it took
	Total       int       `json:"components"`  // components alive, shown or not
	Connections int       `json:"connections"` // connections alive, shown or not
	Dropped     int64     `json:"dropped"`     // messages left by finished components (axon.Runtime.Dropped)
	// Nodes are the components shown: every component that belongs to no
	// connection (up to a bound, see Omitted), and those of the
	// connections in Conns. A parent comes before its children.
	Nodes []Node `json:"nodes"`
	// Links go from a box of a shown component to the box where what is
	// sent into it is stored: the end of its chain.
	Links  []Link  `json:"links"`
	Conns  []Conn  `json:"conns"`  // the connections shown, slowest and fullest first
	Groups []Group `json:"groups"` // every connection, counted per server and handler type
	// Omitted is how many components that belong to no connection were
	// left out, past the bound.
	Omitted int `json:"omitted,omitempty"`
}

// Node is one component.
type Node struct {
	ID       uint64 `json:"id"`               // the component's number in its runtime
	Name     string `json:"name"`             // "<type>_<id>", Kamaelia's naming
	Type     string `json:"type"`             // the component's Go type
	Parent   uint64 `json:"parent,omitempty"` // the component that started it; 0 for a top-level one
	Conn     uint64 `json:"conn,omitempty"`   // the connection it serves: its adapter's ID
	Threaded bool   `json:"threaded,omitempty"`
	Boxes    []Box  `json:"boxes"`
}

// Box is one box of a component: its depth and its capacity.
type Box struct {
	Name string `json:"name"` // the Kamaelia box name: "inbox", "outbox", ...
	Dir  string `json:"dir"`  // "in" or "out"
	Len  int    `json:"len"`  // messages stored in it
	Cap  int    `json:"cap"`  // its capacity
}

// Link is where a box's messages go.
type Link struct {
	From    uint64 `json:"from"` // the component whose box is linked
	FromBox string `json:"fromBox"`
	To      uint64 `json:"to"` // the component whose box stores what is sent
	ToBox   string `json:"toBox"`
}

// Conn is one connection, as its adapter counts it.
type Conn struct {
	ID       uint64  `json:"id"`    // its adapter's component ID
	Peer     string  `json:"peer"`  // the client's address and port, "127.0.0.1:41234"
	Local    string  `json:"local"` // the server's side
	Server   uint64  `json:"server,omitempty"`
	Handler  string  `json:"handler"`  // the type of the component that serves it
	Age      float64 `json:"age"`      // seconds since it was accepted or dialled
	BytesIn  uint64  `json:"bytesIn"`  // read from the peer
	BytesOut uint64  `json:"bytesOut"` // written to the peer
	Queued   int     `json:"queued"`   // bytes waiting to be written to the peer
	// Fill is how full the fullest box of its components is, from 0 to 1
	// (or more, a box past its capacity by the messages it holds for a
	// finished owner).
	Fill       float64  `json:"fill"`
	Components []uint64 `json:"components"` // its components' IDs: the adapter, its handler and the handler's children
}

// Group counts the connections of one server served by one handler type.
type Group struct {
	Server   uint64  `json:"server,omitempty"` // the component the adapters are children of
	Handler  string  `json:"handler"`
	Count    int     `json:"count"`
	Shown    int     `json:"shown"` // of which in Conns
	BytesIn  uint64  `json:"bytesIn"`
	BytesOut uint64  `json:"bytesOut"`
	Queued   int     `json:"queued"`
	MaxFill  float64 `json:"maxFill"`
}

// Bounds of a snapshot.
const (
	defaultConns = 50    // connections shown in detail unless asked otherwise
	maxConns     = 1000  // the most a request may ask for
	maxNodes     = 2000  // components of no connection shown
	maxDepth     = 10000 // deeper components are not visited
	yieldEvery   = 128   // components walked between two yields of the CPU
)

// seen is one component as the walk found it.
type seen struct {
	part   axon.Part
	parent int                              // index in the walk; -1 for a top-level one
	boxes  []axon.BoxState                  // in walker.boxes
	csa    *internet.ConnectedSocketAdapter // when it is an adapter
	conn   int                              // the index of its connection's adapter; -1 for none
	linked int                              // an adapter it is linked to, for grouping; -1 for none
	slot   int                              // an adapter's connection in walker.infos; -1 until found
}

// connInfo is one connection while the snapshot ranks them.
type connInfo struct {
	adapter int    // the adapter's index in the walk
	id      uint64 // the adapter's ID
	server  uint64
	handler string
	fill    float64
	st      internet.ConnStats
}

// walker keeps what a walk needs from one snapshot to the next, so that a
// snapshot of many connections allocates little beyond what it returns.
type walker struct {
	all   []seen
	boxes []axon.BoxState
	at    map[*axon.Component]int
	stack []int // the walk's path: indexes by depth
	infos []connInfo
}

// take walks rt and makes a snapshot that shows at most shown connections.
func (w *walker) take(rt *axon.Runtime, shown int) *Snapshot {
	start := time.Now()
	if w.at == nil {
		w.at = map[*axon.Component]int{}
	}
	all, at, stack, boxes := w.all[:0], w.at, w.stack[:0], w.boxes[:0]
	defer func() {
		// Keep the buffers, not the components: a finished one must not
		// stay reachable until the next snapshot.
		clear(all)
		clear(boxes)
		clear(at)
		w.all, w.stack, w.boxes = all[:0], stack[:0], boxes[:0]
	}()
	rt.Walk(func(p axon.Part, depth int) bool {
		if depth >= maxDepth {
			return false
		}
		if len(all)%yieldEvery == yieldEvery-1 {
			// On a busy machine, let the workers in: a walk of 10,000
			// connections takes tens of milliseconds of one CPU, which
			// the scheduler would otherwise give it in 10 ms slices.
			runtime.Gosched()
		}
		stack = stack[:min(depth, len(stack))]
		parent := -1
		if depth > 0 && len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		c := p.Base()
		n := len(boxes)
		boxes = c.AppendBoxes(boxes)
		s := seen{part: p, parent: parent, boxes: boxes[n:len(boxes):len(boxes)], conn: -1, linked: -1, slot: -1}
		s.csa, _ = p.(*internet.ConnectedSocketAdapter)
		at[c] = len(all)
		stack = append(stack, len(all))
		all = append(all, s)
		return true
	})

	// A connection is its adapter and what is linked to it, with the
	// children of that: the handler (a stage or a pipeline of them) is the
	// adapter's sibling whose boxes send to it, or that it sends to.
	for i := range all {
		s := &all[i]
		for _, b := range s.boxes {
			if b.To == nil {
				continue
			}
			j, ok := at[b.To.Owner()]
			if !ok || j == i {
				continue
			}
			switch {
			case all[j].csa != nil && s.csa == nil:
				s.linked = j
			case s.csa != nil && all[j].csa == nil:
				all[j].linked = i
			}
		}
	}
	for i := range all {
		s := &all[i]
		if s.csa != nil {
			s.conn = i
			continue
		}
		if s.linked < 0 {
			continue
		}
		// The ancestor of s that is the adapter's sibling serves it.
		home := all[s.linked].parent
		a := i
		for a >= 0 && all[a].parent != home {
			a = all[a].parent
		}
		if a >= 0 && all[a].conn < 0 {
			all[a].conn = s.linked
		}
	}
	for i := range all { // parents come first: children inherit
		if s := &all[i]; s.conn < 0 && s.parent >= 0 {
			s.conn = all[s.parent].conn
		}
	}

	now := time.Now()
	snap := &Snapshot{Taken: now.UTC(), Total: len(all), Dropped: rt.Dropped(),
		Nodes: []Node{}, Links: []Link{}, Conns: []Conn{}, Groups: []Group{}}
	infos := w.infos[:0]
	for i := range all {
		s := &all[i]
		if s.conn < 0 {
			continue
		}
		a := &all[s.conn]
		if a.slot < 0 {
			a.slot = len(infos)
			ci := connInfo{adapter: s.conn, id: a.part.Base().ID(), st: a.csa.Stats()}
			if a.parent >= 0 {
				ci.server = all[a.parent].part.Base().ID()
			}
			infos = append(infos, ci)
		}
		ci := &infos[a.slot]
		if i != s.conn && ci.handler == "" {
			ci.handler = typeName(s.part)
		}
		for _, b := range s.boxes {
			if b.Cap > 0 {
				ci.fill = max(ci.fill, float64(b.Len)/float64(b.Cap))
			}
		}
	}
	w.infos = infos[:0]
	snap.Connections = len(infos)

	// The slowest and fullest first: the fullest box, then the bytes
	// waiting for the peer, then the oldest.
	slices.SortFunc(infos, func(a, b connInfo) int {
		if c := cmp.Compare(b.fill, a.fill); c != 0 {
			return c
		}
		if c := cmp.Compare(b.st.Queued, a.st.Queued); c != 0 {
			return c
		}
		if c := a.st.Opened.Compare(b.st.Opened); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	type groupKey struct {
		server  uint64
		handler string
	}
	groups := map[groupKey]*Group{}
	show := map[int]int{} // the adapter's index in all -> its connection's in snap.Conns
	for k, c := range infos {
		g := groups[groupKey{c.server, c.handler}]
		if g == nil {
			g = &Group{Server: c.server, Handler: c.handler}
			groups[groupKey{c.server, c.handler}] = g
		}
		g.Count++
		g.BytesIn += c.st.BytesIn
		g.BytesOut += c.st.BytesOut
		g.Queued += c.st.Queued
		g.MaxFill = max(g.MaxFill, c.fill)
		if k < shown {
			g.Shown++
			show[c.adapter] = len(snap.Conns)
			snap.Conns = append(snap.Conns, Conn{
				ID:       c.id,
				Peer:     addr(c.st.Peer.String()),
				Local:    addr(c.st.Local.String()),
				Server:   c.server,
				Handler:  c.handler,
				Age:      now.Sub(c.st.Opened).Seconds(),
				BytesIn:  c.st.BytesIn,
				BytesOut: c.st.BytesOut,
				Queued:   c.st.Queued,
				Fill:     c.fill,
			})
		}
	}
	for i := range all {
		if s := &all[i]; s.conn >= 0 {
			if k, ok := show[s.conn]; ok {
				snap.Conns[k].Components = append(snap.Conns[k].Components, s.part.Base().ID())
			}
		}
	}
	clear(infos[:cap(infos)])
	for _, g := range groups {
		snap.Groups = append(snap.Groups, *g)
	}
	slices.SortFunc(snap.Groups, func(a, b Group) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Server, b.Server), cmp.Compare(a.Handler, b.Handler))
	})

	// The components shown, and the links between them.
	ids := make(map[uint64]bool)
	plain := 0
	for i := range all {
		s := &all[i]
		c := s.part.Base()
		if s.conn >= 0 {
			if _, ok := show[s.conn]; !ok {
				continue
			}
		} else if plain++; plain > maxNodes {
			snap.Omitted++
			continue
		}
		n := Node{ID: c.ID(), Name: c.Name(), Type: typeName(s.part), Threaded: c.Threaded(), Boxes: make([]Box, 0, len(s.boxes))}
		if s.parent >= 0 {
			n.Parent = all[s.parent].part.Base().ID()
		}
		if s.conn >= 0 {
			n.Conn = all[s.conn].part.Base().ID()
		}
		for _, b := range s.boxes {
			dir := "in"
			if b.Box.Dir() == axon.Out {
				dir = "out"
			}
			n.Boxes = append(n.Boxes, Box{Name: b.Box.Name(), Dir: dir, Len: b.Len, Cap: b.Cap})
		}
		ids[n.ID] = true
		snap.Nodes = append(snap.Nodes, n)
	}
	for i := range all {
		s := &all[i]
		from := s.part.Base().ID()
		if !ids[from] {
			continue
		}
		for _, b := range s.boxes {
			if b.To == nil {
				continue
			}
			to := b.To.Owner()
			if to == nil || !ids[to.ID()] {
				continue
			}
			snap.Links = append(snap.Links, Link{From: from, FromBox: b.Box.Name(), To: to.ID(), ToBox: b.To.Name()})
		}
	}
	snap.TookMicros = time.Since(start).Microseconds()
	return snap
}

// typeName is the component's Go type, as %T prints it.
func typeName(p axon.Part) string { return reflect.TypeOf(p).String() }

// addr is an address as netip prints it, or "" for none.
func addr(s string) string {
	if s == "invalid AddrPort" {
		return ""
	}
	return s
}
