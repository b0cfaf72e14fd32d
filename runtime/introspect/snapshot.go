package introspect

import (
	"cmp"
	"reflect"
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
)

// seen is one component as the walk found it.
type seen struct {
	part   axon.Part
	parent int // index in the walk; -1 for a top-level one
	boxes  []axon.BoxState
	csa    *internet.ConnectedSocketAdapter // when it is an adapter
	conn   int                              // the index of its connection's adapter; -1 for none
	linked int                              // an adapter it is linked to, for grouping; -1 for none
}

// take walks rt and makes a snapshot that shows at most shown connections.
func take(rt *axon.Runtime, shown int) *Snapshot {
	start := time.Now()
	var all []seen
	at := map[*axon.Component]int{}
	var stack []int // the walk's path: indexes by depth
	rt.Walk(func(p axon.Part, depth int) bool {
		if depth >= maxDepth {
			return false
		}
		stack = stack[:min(depth, len(stack))]
		parent := -1
		if depth > 0 && len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		c := p.Base()
		s := seen{part: p, parent: parent, boxes: c.Boxes(), conn: -1, linked: -1}
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
	conns := map[int]*Conn{}
	var order []int
	for i := range all {
		s := &all[i]
		if s.conn < 0 {
			continue
		}
		c := conns[s.conn]
		if c == nil {
			a := &all[s.conn]
			st := a.csa.Stats()
			c = &Conn{
				ID:       a.part.Base().ID(),
				Peer:     addr(st.Peer.String()),
				Local:    addr(st.Local.String()),
				Age:      now.Sub(st.Opened).Seconds(),
				BytesIn:  st.BytesIn,
				BytesOut: st.BytesOut,
				Queued:   st.Queued,
			}
			if a.parent >= 0 {
				c.Server = all[a.parent].part.Base().ID()
			}
			conns[s.conn] = c
			order = append(order, s.conn)
		}
		if i != s.conn && c.Handler == "" {
			c.Handler = typeName(s.part)
		}
		c.Components = append(c.Components, s.part.Base().ID())
		for _, b := range s.boxes {
			if b.Cap > 0 {
				c.Fill = max(c.Fill, float64(b.Len)/float64(b.Cap))
			}
		}
	}
	snap.Connections = len(order)

	// The slowest and fullest first: the fullest box, then the bytes
	// waiting for the peer, then the oldest.
	list := make([]*Conn, 0, len(order))
	for _, i := range order {
		list = append(list, conns[i])
	}
	slices.SortStableFunc(list, func(a, b *Conn) int {
		if c := cmp.Compare(b.Fill, a.Fill); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Queued, a.Queued); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Age, a.Age); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	type groupKey struct {
		server  uint64
		handler string
	}
	groups := map[groupKey]*Group{}
	show := map[uint64]bool{}
	for k, c := range list {
		g := groups[groupKey{c.Server, c.Handler}]
		if g == nil {
			g = &Group{Server: c.Server, Handler: c.Handler}
			groups[groupKey{c.Server, c.Handler}] = g
		}
		g.Count++
		g.BytesIn += c.BytesIn
		g.BytesOut += c.BytesOut
		g.Queued += c.Queued
		g.MaxFill = max(g.MaxFill, c.Fill)
		if k < shown {
			g.Shown++
			show[c.ID] = true
			snap.Conns = append(snap.Conns, *c)
		}
	}
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
			if !show[all[s.conn].part.Base().ID()] {
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
