package chassis_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
)

// stage is a pipeline stage written by hand. A passing stage hands every
// piece to the next and a signal after the data, as a parser does; a
// stuck one takes nothing (as a stage waiting on something that never
// comes), so its inbox fills and the stages before it are held up, and
// its control, served after its data, is never reached.
type stage struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
	stuck   bool
	stopped *atomic.Int32
}

func newStage(stuck bool, stopped *atomic.Int32) *stage {
	s := &stage{stuck: stuck, stopped: stopped}
	s.In.Init(&s.Component, "inbox", 2)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", 2)
	s.Signal.Init(&s.Component, "signal", 0)
	return s
}

func (s *stage) Dispatch(t *axon.Turn) {
	if s.stuck {
		return
	}
	axon.Serve(t, &s.In, func(b []byte) { s.Out.Send(b) })
	axon.ServeLast(t, &s.Control, func(sig axon.Signal) { s.Signal.Send(sig); s.Stop() })
}

func (s *stage) OnStop() { s.stopped.Add(1) }

func (s *stage) StdInbox() *axon.Inbox[[]byte]        { return &s.In }
func (s *stage) StdControl() *axon.Inbox[axon.Signal] { return &s.Control }
func (s *stage) StdOutbox() *axon.Outbox[[]byte]      { return &s.Out }
func (s *stage) StdSignal() *axon.Outbox[axon.Signal] { return &s.Signal }

// Once a connection has closed, every stage of its handler is stopped
// soon, however much data is queued before the close notice: a Pipeline
// whose second stage takes nothing, flooded by its client, has its
// connection closed by the read timeout (nothing can be read while the
// handler is full) and is stopped closedGrace (100 ms) after, not
// HandlerGrace (5 s) after.
func TestClosedConnectionsHandlerStopsWhateverIsQueued(t *testing.T) {
	var stopped atomic.Int32
	srv := serve(t, "127.0.0.1:0", chassis.Handler(func() *chassis.Pipeline[[]byte, []byte] {
		return chassis.Pipeline2[[]byte, []byte, []byte](newStage(false, &stopped), newStage(true, &stopped))
	}), chassis.ServerOptions{Conn: internet.ConnOptions{ReadTimeout: 300 * time.Millisecond}})
	c := dial(t, srv)
	flood := make([]byte, 64<<10)
	for range 8 { // more than the stages and the adapter hold: the rest waits in TCP
		_ = c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := c.Write(flood); err != nil {
			break
		}
	}
	flooded := time.Now()
	require.Eventually(t, func() bool { return stopped.Load() == 2 }, deadline, time.Millisecond, "every stage stopped")
	took := time.Since(flooded)
	t.Logf("every stage stopped %v after the flood (read timeout 300 ms)", took)
	require.Less(t, took, 3*time.Second, "the handler lived on as if it had HandlerGrace (5 s)")
	require.Eventually(t, func() bool { return srv.Connections() == 0 }, deadline, time.Millisecond)
}
