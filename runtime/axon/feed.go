package axon

import (
	"fmt"
	"slices"
	"sync"

	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// An inbox may have a feed (loop.Feed): a source besides the boxes linked
// to it, which its owner's turns take from as they take what waits in the
// inbox. A backplane's subscriptions are feeds: the publisher writes into
// each subscription's queue, which it shares with no one but that
// subscriber, and wakes the subscriber; the subscriber's turn moves what
// waits there into the inbox's queue as it handles it, under the inbox's
// lock, which it takes anyway.

// feedSetter is an inbox of any message type, for loop.SetFeed, SetSink
// and WakeWaiters.
type feedSetter interface {
	setFeed(f any) error
	setSink(s any) error
	wakeWaiters()
}

// attachable is a feed of any message type, as a component keeps it.
type attachable interface {
	Attach(wake func(from any))
	Detach()
}

func init() {
	loop.SetFeed = func(in, f any) error {
		i, err := asInbox(in)
		if err != nil {
			return err
		}
		return i.setFeed(f)
	}
	loop.SetSink = func(in, s any) error {
		i, err := asInbox(in)
		if err != nil {
			return err
		}
		return i.setSink(s)
	}
	loop.Names = func(rt any) *sync.Map { return &rt.(*Runtime).names }
	loop.AtTurnEnd = func(from any, e loop.TurnEnder) bool {
		c, ok := from.(*Component)
		if !ok || c == nil || c.th != nil {
			return false
		}
		w := c.on.Load()
		if w == nil {
			return false
		}
		if !slices.Contains(w.atEnd, e) {
			w.atEnd = append(w.atEnd, e)
		}
		return true
	}
	loop.WakeWaiters = func(in any) {
		if i, ok := in.(feedSetter); ok {
			i.wakeWaiters()
		}
	}
}

// asInbox returns in, an *axon.Inbox of any message type.
func asInbox(in any) (feedSetter, error) {
	i, ok := in.(feedSetter)
	if !ok {
		return nil, fmt.Errorf("axon: %T is not an *axon.Inbox", in)
	}
	return i, nil
}

// setSink makes s the inbox's sink.
func (in *Inbox[T]) setSink(s any) error {
	sink, ok := s.(loop.Sink[T])
	if !ok {
		return fmt.Errorf("axon: %s cannot give its messages to %T", in.fullName(), s)
	}
	x := in.extra()
	in.mu.Lock()
	x.sink = sink
	in.mu.Unlock()
	return nil
}

// wakeWaiters wakes those waiting for room in the inbox.
func (in *Inbox[T]) wakeWaiters() {
	in.mu.Lock()
	if in.hasWaitersLocked() {
		in.wakeWaitersLocked()
	}
	in.mu.Unlock()
}

// setFeed makes f the inbox's feed. The feed is attached when the owner is
// activated (at once if it is active) and detached when it finishes.
func (in *Inbox[T]) setFeed(f any) error {
	feed, ok := f.(loop.Feed[T])
	if !ok {
		return fmt.Errorf("axon: %s cannot take the messages of %T", in.fullName(), f)
	}
	c := in.owner
	if c == nil {
		return ErrNotInitialized
	}
	x := in.extra()
	in.mu.Lock()
	if x.feed != nil {
		in.mu.Unlock()
		return fmt.Errorf("axon: %s is subscribed already: an inbox takes one subscription", in.fullName())
	}
	x.feed, x.put = feed, in.box.push
	in.mu.Unlock()

	c.mu.Lock()
	if c.life.Load() == done {
		c.mu.Unlock()
		return fmt.Errorf("axon: %s: its component has finished", in.fullName())
	}
	e := c.more()
	e.feeds = append(e.feeds, feed)
	now := e.feedsOn
	c.mu.Unlock()
	if now {
		feed.Attach(c.wakeFeed)
	}
	return nil
}

// wakeFeed wakes c for its feed, from the turn of from (an *axon.Component)
// or from outside any (nil).
func (c *Component) wakeFeed(from any) {
	f, _ := from.(*Component)
	c.wakeFrom(f)
}

// attachFeeds attaches the feeds of c's inboxes, now that c is active.
func (c *Component) attachFeeds() {
	c.mu.Lock()
	if c.ext == nil {
		c.mu.Unlock()
		return
	}
	c.ext.feedsOn = true
	feeds := c.ext.feeds
	c.mu.Unlock()
	for _, f := range feeds {
		f.Attach(c.wakeFeed)
	}
}

// feedOf returns the box's feed, or nil. b.mu is held.
func (b *box[T]) feedOf() loop.Feed[T] {
	if x := b.cold.Load(); x != nil {
		return x.feed
	}
	return nil
}

// feedLen returns how many messages wait in the box's feed. b.mu is held.
func (b *box[T]) feedLen() int {
	if f := b.feedOf(); f != nil {
		return f.Len()
	}
	return 0
}
