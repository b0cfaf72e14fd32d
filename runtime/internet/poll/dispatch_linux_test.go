//go:build linux

package poll_test

import (
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// closer is a Dispatcher that keeps the Readable events of the connections
// it tracks for Flush, which closes them: as a scheduler's turn, run by the
// loop, may close its socket.
type closer struct {
	mu      sync.Mutex
	conns   map[poll.Watcher]poll.Conn
	pending []poll.Watcher // the loop's own
	closed  chan poll.Events
	evs     poll.Events
}

func (d *closer) track(w poll.Watcher, c poll.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conns[w] = c
}

func (d *closer) Deliver(w poll.Watcher, ev poll.Events) {
	d.mu.Lock()
	_, ok := d.conns[w]
	d.mu.Unlock()
	if !ok || ev&poll.Readable == 0 {
		w.Ready(ev) // the connection's first Writable may come at any time
		return
	}
	d.pending = append(d.pending, w)
	d.evs |= ev
}

func (d *closer) Flush() {
	for _, w := range d.pending {
		d.mu.Lock()
		c := d.conns[w]
		delete(d.conns, w)
		d.mu.Unlock()
		if c != nil {
			_ = c.Close() // waits for a delivery in progress: none may be
			d.closed <- d.evs
		}
	}
	d.pending = d.pending[:0]
}

// A loop hands a socket's events to its Dispatcher, and calls Flush after
// them, outside the socket's lock: Flush may close the socket.
func TestDispatcherFlushMayCloseTheSocket(t *testing.T) {
	d := &closer{conns: map[poll.Watcher]poll.Conn{}, closed: make(chan poll.Events, 1)}
	var made int
	p, err := poll.NewEpollDispatch(1, func() poll.Dispatcher { made++; return d })
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	assert.Equal(t, 1, made, "one Dispatcher per loop")

	c, w, client := pair(t, p)
	d.track(w, c)
	_, err = client.Write([]byte("hello"))
	require.NoError(t, err)
	select {
	case ev := <-d.closed:
		assert.NotZero(t, ev&poll.Readable, "the Dispatcher was told the socket is readable")
	case <-time.After(waitLimit):
		t.Fatal("Flush never closed the connection (a deadlock on the socket's lock?)")
	}
	assert.Zero(t, w.take(poll.Readable), "the Dispatcher took the Readable event, not the Watcher")
	// Unread input makes the close a reset: the client sees its connection end.
	_, err = client.Read(make([]byte, 8))
	require.Error(t, err)
}

// recorder is a Dispatcher that records the order of the Readable events
// it is given. Once trigger is set, the Flush that follows trigger's
// Readable waits for hold to be closed: a loop busy with a long batch of
// turns.
type recorder struct {
	mu      sync.Mutex
	order   []poll.Watcher
	trigger poll.Watcher
	seen    bool
	hold    chan struct{}
	holding chan struct{} // closed when the held Flush begins
}

func (d *recorder) Deliver(w poll.Watcher, ev poll.Events) {
	if ev&poll.Readable != 0 {
		d.mu.Lock()
		d.order = append(d.order, w)
		if w == d.trigger {
			d.seen = true
		}
		d.mu.Unlock()
	}
	w.Ready(ev)
}

func (d *recorder) Flush() {
	d.mu.Lock()
	held := d.seen && d.holding != nil
	d.mu.Unlock()
	if held {
		close(d.holding)
		<-d.hold
		d.mu.Lock()
		d.holding = nil
		d.mu.Unlock()
	}
}

// A new connection is seen ahead of the events that were ready before it.
// In a mass close thousands of hang-ups wait in a loop's epoll, each a
// close to make, and a new client waited behind all of them (epoll hands
// out its ready events in the order they came): here 300 connections
// hang up while the loop is busy, then a client connects, and its
// listener's event comes in the loop's next batch, not 300th.
func TestNewConnectionIsSeenAheadOfReadyEvents(t *testing.T) {
	const n = 300
	d := &recorder{hold: make(chan struct{})}
	p, err := poll.NewEpollDispatch(1, func() poll.Dispatcher { return d })
	require.NoError(t, err)
	released := false
	release := func() {
		if !released {
			released = true
			close(d.hold)
		}
	}
	t.Cleanup(func() { release(); require.NoError(t, p.Close()) })

	l, lw := listen(t, p, "127.0.0.1:0")
	clients := make([]*net.TCPConn, n)
	watchers := make([]*watcher, n)
	for i := range clients {
		clients[i] = dialStd(t, l)
		_, watchers[i] = accept(t, l, lw)
	}
	for _, w := range watchers {
		w.wait(poll.Writable) // nothing of theirs waits in the epoll
	}
	// The loop takes everything ready, then is held in the Flush that
	// follows the first connection's input.
	holding := make(chan struct{})
	d.mu.Lock()
	d.trigger, d.holding = watchers[0], holding
	d.mu.Unlock()
	_, err = clients[0].Write([]byte("x"))
	require.NoError(t, err)
	select {
	case <-holding:
	case <-time.After(waitLimit):
		t.Fatal("the loop never flushed")
	}
	for _, c := range clients[1:] {
		require.NoError(t, c.Close())
	}
	lw.take(poll.Readable)
	d.mu.Lock()
	before := len(d.order)
	d.mu.Unlock()
	dialStd(t, l)
	release()
	lw.wait(poll.Readable)
	for _, w := range watchers[1:] {
		w.wait(poll.Readable)
	}
	d.mu.Lock()
	at := slices.Index(d.order[before:], poll.Watcher(lw))
	d.mu.Unlock()
	assert.Less(t, at, n/2, "the new connection waited behind the events ready before it (delivered %dth of %d)", at+1, n)
}
