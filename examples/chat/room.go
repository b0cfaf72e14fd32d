package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kamgen/kamgen/runtime/util"
)

// Said is a line said in the room.
type Said struct {
	From uint64 `json:"-"` // the component ID of the client who said it; 0 from another process
	Line []byte `json:"line"`
}

// Room is what every connection of a server shares: the backplane lines
// are said on, and the nicks in use.
type Room struct {
	Backplane *util.Backplane[Said]
	Names     *Names
}

// NewRoom returns an empty room.
func NewRoom() *Room {
	return &Room{Backplane: util.NewBackplane[Said]("room"), Names: &Names{taken: map[string]bool{}}}
}

// NewClient returns a client in the room.
func (r *Room) NewClient() *Client {
	c := (&Client{room: r}).initBoxes()
	_ = r.Backplane.Publish(&c.Say) // a new outbox is linked nowhere: this cannot fail
	r.Backplane.Subscribe(&c.Heard, util.DefaultPolicy)
	return c
}

// maxNick is the longest nick.
const maxNick = 32

// Names are the nicks in use in one server process.
type Names struct {
	mu     sync.Mutex
	taken  map[string]bool
	guests int
}

// Guest takes a new guest nick and returns it.
func (n *Names) Guest() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	for {
		n.guests++
		if nick := fmt.Sprintf("guest%d", n.guests); !n.taken[nick] {
			n.taken[nick] = true
			return nick
		}
	}
}

// Rename gives nick up for name, if name is free and valid.
func (n *Names) Rename(nick, name string) error {
	switch {
	case name == "" || len(name) > maxNick || strings.ContainsAny(name, " \t\r\n"):
		return fmt.Errorf("a nick is 1 to %d characters, with no spaces", maxNick)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.taken[name] {
		return fmt.Errorf("%s is taken", name)
	}
	delete(n.taken, nick)
	n.taken[name] = true
	return nil
}

// Release gives nick up.
func (n *Names) Release(nick string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.taken, nick)
}

// List returns the nicks in use, sorted.
func (n *Names) List() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	nicks := make([]string, 0, len(n.taken))
	for nick := range n.taken {
		nicks = append(nicks, nick)
	}
	slices.Sort(nicks)
	return strings.Join(nicks, " ")
}
