package main

import "github.com/kamgen/kamgen/runtime/util"

// Room is what every connection of a server shares: the backplane lines
// are said on, and the nicks in use.
type Room struct {
	Backplane *util.Backplane[[]byte] // the lines said, each given to every client but the one who said it
	Names     Names
}

// NewRoom returns an empty room whose nicks are kept by names.
func NewRoom(names Names) *Room {
	return &Room{Backplane: util.NewBackplane[[]byte]("room"), Names: names}
}

// NewClient returns a client in the room.
func (r *Room) NewClient() *Client {
	c := (&Client{room: r}).initBoxes()
	_ = r.Backplane.Publish(&c.Say) // a new outbox is linked nowhere: this cannot fail
	r.Backplane.Subscribe(&c.Heard, util.DefaultPolicy)
	return c
}
