//go:build linux

package poll_test

import (
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
