package chassis_test

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
)

// room is a long-lived component every connection's handler links into,
// as a chat room is.
type room struct {
	axon.Component
	In   axon.Inbox[string]
	seen atomic.Int64
}

func (r *room) Dispatch(t *axon.Turn) {
	axon.Serve(t, &r.In, func(string) { r.seen.Add(1) })
}

// member echoes what its client sends and tells the room, through an
// outbox of its own, named after its connection, linked into the room's
// inbox when it is made.
type member struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
	toRoom  *axon.Outbox[string]
}

func newMember(t *testing.T, r *room, peer string, port int) *member {
	m := &member{}
	m.In.Init(&m.Component, "inbox", 0)
	m.Control.Init(&m.Component, "control", 0)
	m.Out.Init(&m.Component, "outbox", 0)
	m.Signal.Init(&m.Component, "signal", 0)
	m.toRoom = axon.NewOutbox[string](&m.Component, "to-"+peer+":"+strconv.Itoa(port), 0)
	if _, err := axon.Link(m.toRoom, &r.In); err != nil {
		t.Error(err)
	}
	return m
}

func (m *member) Dispatch(t *axon.Turn) {
	axon.Serve(t, &m.In, func(b []byte) {
		m.Out.Send(b)
		m.toRoom.Send(string(b))
	})
	axon.ServeLast(t, &m.Control, func(sig axon.Signal) { m.Signal.Send(sig); m.Stop() })
}

func (m *member) StdInbox() *axon.Inbox[[]byte]        { return &m.In }
func (m *member) StdControl() *axon.Inbox[axon.Signal] { return &m.Control }
func (m *member) StdOutbox() *axon.Outbox[[]byte]      { return &m.Out }
func (m *member) StdSignal() *axon.Outbox[axon.Signal] { return &m.Signal }

// TestChurnLeavesNoResidue connects and disconnects 50,000 clients (10,000
// under the race detector) of a handler that links an outbox of its own,
// with a name of its own, into a long-lived component: once they are
// gone, the live heap is back within 1 MB of where it was. A finished
// handler is reachable from no link and its box's name costs nothing.
func TestChurnLeavesNoResidue(t *testing.T) {
	n := 50000
	if slowdown > 1 {
		n = 10000
	}
	r := &room{}
	r.In.Init(&r.Component, "inbox", 0)
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(r))
	srv := serve(t, "127.0.0.1:0", func(peer string, port int, _ string, _ int) axon.Stage[[]byte, []byte] {
		return newMember(t, r, peer, port)
	}, chassis.ServerOptions{})
	addr := srv.Addr().String()

	churn := func(cycles int) {
		var wg sync.WaitGroup
		var next atomic.Int64
		errs := make(chan error, 64)
		for range 32 {
			wg.Go(func() {
				buf := make([]byte, 5)
				for next.Add(1) <= int64(cycles) {
					c, err := net.DialTimeout("tcp", addr, deadline)
					if err == nil {
						_ = c.SetDeadline(time.Now().Add(deadline))
						if _, err = c.Write([]byte("hello")); err == nil {
							_, err = io.ReadFull(c, buf)
						}
						c.Close()
					}
					if err != nil {
						select {
						case errs <- err:
						default:
						}
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		limit := time.Now().Add(deadline)
		for srv.Connections() > 0 {
			require.True(t, time.Now().Before(limit), "%d connections still open", srv.Connections())
			time.Sleep(5 * time.Millisecond) // polling a count no event reports
		}
	}
	churn(2000) // pools, maps and caches grow to their working size
	before := liveHeap()
	churn(n)
	limit := time.Now().Add(deadline)
	for r.seen.Load() < int64(2000+n) {
		require.True(t, time.Now().Before(limit), "the room got %d messages of %d", r.seen.Load(), 2000+n)
		time.Sleep(5 * time.Millisecond) // polling a count no event reports
	}
	grown := int64(liveHeap()) - int64(before)
	t.Logf("%d clients came and went; the live heap grew %s", n, kib(grown))
	assert.Less(t, grown, int64(1<<20), "%d finished connections left residue", n)
}

func kib(b int64) string { return fmt.Sprintf("%d KiB", b>>10) }
