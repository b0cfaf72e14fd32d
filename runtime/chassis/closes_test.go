package chassis_test

import (
	"io"
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
	s.init(2)
	return s
}

// init sets the boxes up, the data boxes with capacity (0: the default).
func (s *stage) init(capacity int) {
	s.In.Init(&s.Component, "inbox", capacity)
	s.Control.Init(&s.Component, "control", 0)
	s.Out.Init(&s.Component, "outbox", capacity)
	s.Signal.Init(&s.Component, "signal", 0)
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

// quitter answers the first piece it gets with "bye" and closes the
// connection, taking nothing more: what its client sent after waits in its
// inbox, and more in the adapter, for a handler that is gone.
type quitter struct {
	stage
	done bool
}

func newQuitter() *quitter {
	q := &quitter{stage: stage{stopped: new(atomic.Int32)}}
	q.init(0)
	return q
}

func (q *quitter) Dispatch(t *axon.Turn) {
	if !q.done {
		if _, ok := q.In.TryRecv(); ok {
			q.done = true
			q.Out.Send([]byte("bye\n"))
			q.Signal.Send(&axon.ProducerFinished{})
			q.Stop()
		}
	}
}

// A handler that closes its connection while its client is still sending
// (a protocol error, say) leaves input it will never take: the adapter
// drops it with what comes after, and the connection is gone once the
// client has closed too, not CloseTimeout (30 s here) later. (The adapter used
// to keep what it had read for the handler, stop reading, and wait out
// CloseTimeout.)
func TestClosingHandlerLeavesNoInputBehind(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] { return newQuitter() },
		chassis.ServerOptions{Conn: internet.ConnOptions{CloseTimeout: 30 * time.Second}})
	for range 5 {
		c := dial(t, srv)
		flood := make(chan error, 1)
		go func() {
			chunk := make([]byte, 64<<10)
			for range 64 { // 4 MiB, far more than the handler's inbox and the sockets hold
				if _, err := c.Write(chunk); err != nil {
					flood <- err
					return
				}
			}
			flood <- nil
		}()
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		require.Equal(t, "bye\n", string(got))
		c.Close()
		<-flood // a write error once the socket is closed, or all sent
		start := time.Now()
		for srv.Connections() > 0 {
			require.Less(t, time.Since(start), 2*time.Second*slowdown, "the connection is still open after its client closed")
			time.Sleep(5 * time.Millisecond) // polling a count no event reports
		}
	}
}

// talker is a last pipeline stage that takes nothing and talks: it sends
// its client 8 MiB, more than the client (which never reads) and the
// adapter take, so that it holds the rest; it takes no control either.
type talker struct {
	stage
}

func newTalker(stopped *atomic.Int32) *talker {
	t := &talker{stage: stage{stuck: true, stopped: stopped}}
	t.init(2)
	return t
}

func (t *talker) OnStart() {
	chunk := make([]byte, 64<<10)
	for range 128 {
		t.Out.Send(chunk)
	}
}

// A reset reaches every stage of a connection's handler soon, whatever is
// queued: a Pipeline whose first stage passes input to a last one that
// takes nothing (and, both ways, floods the client, which never reads),
// flooded by its client, which then resets, is stopped, every stage of
// it, within closedGrace (100 ms) of the reset, on both Selectors: not
// after HandlerGrace (5 s), nor when a read timeout would close it.
// Flooded one way only, the server writes nothing that would fail: the
// adapter, which has stopped reading, asks the socket for its pending
// error (on the portable Selector its reader does, every 20 ms).
func TestResetUnderAFloodReachesEveryStage(t *testing.T) {
	for _, both := range []bool{false, true} {
		t.Run(map[bool]string{false: "one way", true: "both ways"}[both], func(t *testing.T) {
			for i := range 5 {
				var stopped atomic.Int32
				srv := serve(t, "127.0.0.1:0", chassis.Handler(func() *chassis.Pipeline[[]byte, []byte] {
					last := axon.Stage[[]byte, []byte](newStage(true, &stopped))
					if both {
						last = newTalker(&stopped)
					}
					return chassis.Pipeline2[[]byte, []byte, []byte](newStage(false, &stopped), last)
				}), chassis.ServerOptions{})
				c := dial(t, srv)
				require.NoError(t, c.SetReadBuffer(16<<10))
				flood := make([]byte, 64<<10)
				for range 64 { // more than the stages, the adapter and the kernel hold: the rest waits
					_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond * slowdown))
					if _, err := c.Write(flood); err != nil {
						break
					}
				}
				require.NoError(t, c.SetLinger(0)) // close with a reset
				reset := time.Now()
				require.NoError(t, c.Close())
				require.Eventually(t, func() bool { return stopped.Load() == 2 }, deadline, time.Millisecond, "every stage stopped")
				took := time.Since(reset)
				t.Logf("run %d: every stage stopped %v after the reset", i, took)
				require.Less(t, took, 300*time.Millisecond*slowdown, "the reset was not seen at once")
			}
		})
	}
}
