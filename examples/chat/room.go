package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kamgen/kamgen/runtime/util"
)

// Room is what every connection of a server shares: the backplane lines
// are said on, and the nicks in use.
type Room struct {
	Backplane *util.Backplane[[]byte] // the lines said, each given to every client but the one who said it
	Names     Names

	leaving sync.WaitGroup // the Leaves under way
}

// leaveFor bounds how long a Leave waits for Redis, and for room in the
// backplane.
const leaveFor = 5 * time.Second

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

// Leave gives nick up and then tells the room that it left, so that
// whoever hears it may take the nick, in any process. It does not wait:
// Redis is asked off the workers.
func (r *Room) Leave(nick string) {
	r.leaving.Add(1)
	go func() {
		defer r.leaving.Done()
		ctx, cancel := context.WithTimeout(context.Background(), leaveFor)
		defer cancel()
		r.Names.Release(ctx, nick)
		_ = r.Backplane.In.Put(ctx, fmt.Appendf(nil, "* %s left\n", nick))
	}()
}

// Wait waits for the Leaves under way.
func (r *Room) Wait() { r.leaving.Wait() }
