package main

import "github.com/kamgen/kamgen/runtime/util"

// Said is a line said in the room.
type Said struct {
	From uint64 `json:"-"` // the component ID of the client who said it; 0 from another process
	Line []byte `json:"line"`
}

// Room is what every connection of a server shares: the backplane lines
// are said on, and the nicks in use.
type Room struct {
	Backplane *util.Backplane[Said]
	Names     Names
}

// NewRoom returns an empty room whose nicks are kept by names.
func NewRoom(names Names) *Room {
	return &Room{Backplane: util.NewBackplane[Said]("room"), Names: names}
}

// NewClient returns a client in the room.
func (r *Room) NewClient() *Client {
	c := (&Client{room: r}).initBoxes()
	_ = r.Backplane.Publish(&c.Say) // a new outbox is linked nowhere: this cannot fail
	r.Backplane.Subscribe(&c.Heard, util.DefaultPolicy)
	return c
}
