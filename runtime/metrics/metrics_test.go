package metrics_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/metrics"
)

const deadline = 10 * time.Second

// server is a ServerCore over real sockets in a runtime whose metrics go
// to a registry of its own.
type server struct {
	*chassis.ServerCore
	reg *prometheus.Registry
}

func serve(t *testing.T, f chassis.Factory, opts chassis.ServerOptions) *server {
	t.Helper()
	rt := axontest.Runtime(t, axon.WithLogger(slog.New(slog.DiscardHandler)))
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, metrics.Register(rt, reg))
	srv, err := chassis.NewServerCore("127.0.0.1:0", f, opts)
	require.NoError(t, err)
	require.NoError(t, rt.Activate(srv))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &server{srv, reg}
}

func (s *server) dial(t *testing.T) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr().String(), deadline)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	return c.(*net.TCPConn)
}

// value returns the value of the metric name with the labels given as
// "k=v" pairs, and whether it is there. A histogram's value is its count.
func (s *server) value(t *testing.T, name string, labels ...string) (float64, bool) {
	t.Helper()
	mfs, err := s.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, l := range labels {
				k, v, _ := strings.Cut(l, "=")
				if !hasLabel(m, k, v) {
					continue metric
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func hasLabel(m *dto.Metric, k, v string) bool {
	for _, p := range m.GetLabel() {
		if p.GetName() == k {
			return p.GetValue() == v
		}
	}
	return false
}

// get returns the value of a metric that must be there.
func (s *server) get(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	v, ok := s.value(t, name, labels...)
	require.True(t, ok, "no %s%v", name, labels)
	return v
}

// waitFor waits until the metric has the value want.
func (s *server) waitFor(t *testing.T, want float64, name string, labels ...string) {
	t.Helper()
	var got float64
	ok := assert.Eventually(t, func() bool {
		got, _ = s.value(t, name, labels...)
		return got == want
	}, deadline, time.Millisecond)
	require.True(t, ok, "%s%v is %v, want %v", name, labels, got, want)
}

func roundTrip(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	_, err := c.Write([]byte(msg))
	require.NoError(t, err)
	got := make([]byte, len(msg))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, msg, string(got))
}

var echo = chassis.Handler(testproto.NewEcho)

// Each way a connection ends is counted under its reason, and the open
// count goes back to zero.
func TestConnectionsClosedByReason(t *testing.T) {
	for _, tc := range []struct {
		reason  string
		factory chassis.Factory
		opts    chassis.ServerOptions
		end     func(t *testing.T, s *server, c *net.TCPConn)
	}{
		{"client_closed", echo, chassis.ServerOptions{}, func(t *testing.T, s *server, c *net.TCPConn) {
			roundTrip(t, c, "hello")
			require.NoError(t, c.Close())
		}},
		{"reset", echo, chassis.ServerOptions{}, func(t *testing.T, s *server, c *net.TCPConn) {
			roundTrip(t, c, "hello")
			require.NoError(t, c.SetLinger(0))
			require.NoError(t, c.Close())
		}},
		{"timeout", echo, chassis.ServerOptions{Conn: internet.ConnOptions{IdleTimeout: 50 * time.Millisecond}},
			func(t *testing.T, s *server, c *net.TCPConn) {
				roundTrip(t, c, "hello")
				_, err := io.Copy(io.Discard, c) // until the server closes
				require.NoError(t, err)
			}},
		{"handler_closed", func(string, int, string, int) axon.Stage[[]byte, []byte] {
			return testproto.NewCloser("bye\n", false)
		}, chassis.ServerOptions{}, func(t *testing.T, s *server, c *net.TCPConn) {
			got, err := io.ReadAll(c)
			require.NoError(t, err)
			require.Equal(t, "bye\n", string(got))
		}},
		{"server_shutdown", echo, chassis.ServerOptions{}, func(t *testing.T, s *server, c *net.TCPConn) {
			roundTrip(t, c, "hello")
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			require.NoError(t, s.Shutdown(ctx))
		}},
		{"stopped", chassis.Handler(testproto.NewBomb), chassis.ServerOptions{}, func(t *testing.T, s *server, c *net.TCPConn) {
			_, err := c.Write([]byte("boom"))
			require.NoError(t, err)
			_, err = io.Copy(io.Discard, c)
			require.NoError(t, err)
		}},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			s := serve(t, tc.factory, tc.opts)
			c := s.dial(t)
			s.waitFor(t, 1, "kamgen_connections_open")
			tc.end(t, s, c)
			s.waitFor(t, 1, "kamgen_connections_closed_total", "reason="+tc.reason)
			s.waitFor(t, 0, "kamgen_connections_open")
			assert.Equal(t, 1.0, s.get(t, "kamgen_connections_accepted_total"))
			total := 0.0
			for _, r := range []string{"client_closed", "reset", "timeout", "handler_closed", "server_shutdown", "stopped", "error"} {
				total += s.get(t, "kamgen_connections_closed_total", "reason="+r)
			}
			assert.Equal(t, 1.0, total, "one close, one reason")
		})
	}
}

// The bytes read and written are those the clients sent and received,
// counted while the connections are open and after they have closed.
func TestBytesReadAndWritten(t *testing.T) {
	s := serve(t, echo, chassis.ServerOptions{})
	const clients, rounds = 3, 20
	sent := 0
	var conns []*net.TCPConn
	for i := range clients {
		c := s.dial(t)
		conns = append(conns, c)
		for j := range rounds {
			msg := strings.Repeat("x", 1+i*100+j*37)
			roundTrip(t, c, msg)
			sent += len(msg)
		}
	}
	s.waitFor(t, float64(sent), "kamgen_read_bytes_total")
	s.waitFor(t, float64(sent), "kamgen_written_bytes_total")
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
	s.waitFor(t, 0, "kamgen_connections_open")
	assert.Equal(t, float64(sent), s.get(t, "kamgen_read_bytes_total"), "not counted twice once closed")
	assert.Equal(t, float64(sent), s.get(t, "kamgen_written_bytes_total"))
}

// Messages are counted per component type and box: what the adapter
// sends on its outbox is what the handler takes from its inbox, and the
// handler's replies are what the adapter takes to write.
func TestBoxMessages(t *testing.T) {
	s := serve(t, echo, chassis.ServerOptions{})
	c := s.dial(t)
	for range 50 {
		roundTrip(t, c, "ping")
	}
	require.NoError(t, c.Close())
	s.waitFor(t, 0, "kamgen_connections_open")
	const csa, handler = "internet.ConnectedSocketAdapter", "testproto.Echo"
	s.waitFor(t, 0, "kamgen_components", "component="+handler)
	read := s.get(t, "kamgen_box_messages_sent_total", "component="+csa, "box=outbox")
	assert.GreaterOrEqual(t, read, 50.0, "one piece read per round trip at least")
	assert.Equal(t, read, s.get(t, "kamgen_box_messages_received_total", "component="+handler, "box=inbox"))
	assert.Equal(t, read, s.get(t, "kamgen_box_messages_sent_total", "component="+handler, "box=outbox"))
	assert.Equal(t, read, s.get(t, "kamgen_box_messages_received_total", "component="+csa, "box=inbox"))
	assert.GreaterOrEqual(t, s.get(t, "kamgen_box_messages_received_total", "component="+handler, "box=control"), 1.0,
		"the close notice")
	_, ok := s.value(t, "kamgen_box_messages_sent_total", "component="+handler, "box=inbox")
	assert.False(t, ok, "an inbox has no sent count")
}

// A handler that does not read fills its inbox: its high-water mark
// rises, and the adapter's reads pause (and are timed) until the client
// goes.
func TestBackpressureHighWaterAndPauses(t *testing.T) {
	s := serve(t, chassis.Handler(func() *testproto.Echo {
		e := testproto.NewEcho()
		e.In.Pause() // reads nothing
		return e
	}), chassis.ServerOptions{})
	c := s.dial(t)
	chunk := bytes.Repeat([]byte("x"), 4<<10)
	ok := assert.Eventually(t, func() bool {
		_, err := c.Write(chunk)
		require.NoError(t, err)
		v, _ := s.value(t, "kamgen_read_pauses_total", "reason=handler_full")
		return v >= 1
	}, deadline, time.Millisecond)
	require.True(t, ok, "the adapter never paused its reads")
	assert.GreaterOrEqual(t, s.get(t, "kamgen_box_high_water_messages", "component=testproto.Echo", "box=inbox"), 2.0)
	assert.Zero(t, s.get(t, "kamgen_read_paused_seconds_total", "reason=handler_full"), "counted when the pause ends")
	require.NoError(t, c.SetLinger(0))
	require.NoError(t, c.Close())
	s.waitFor(t, 0, "kamgen_connections_open")
	assert.Positive(t, s.get(t, "kamgen_read_paused_seconds_total", "reason=handler_full"))
	assert.Equal(t, 1.0, s.get(t, "kamgen_read_pauses_total", "reason=handler_full"), "one pause, however many reads it held")
}

// A client that sends and never reads leaves bytes queued for writing:
// the total and the largest on one connection.
func TestQueuedBytes(t *testing.T) {
	s := serve(t, echo, chassis.ServerOptions{})
	c := s.dial(t)
	require.NoError(t, c.SetReadBuffer(4096))
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	var total, most float64
	ok := assert.Eventually(t, func() bool {
		_, err := c.Write(chunk)
		require.NoError(t, err)
		total, most = s.get(t, "kamgen_write_queued_bytes"), s.get(t, "kamgen_write_queued_bytes_max")
		return total > 0 && most > 0
	}, deadline, time.Millisecond)
	require.True(t, ok, "nothing ever waited to be written")
	assert.LessOrEqual(t, most, float64(64<<10), "a connection's queue is bounded by its budget")
	require.NoError(t, c.SetLinger(0))
	require.NoError(t, c.Close())
	s.waitFor(t, 0, "kamgen_write_queued_bytes")
	s.waitFor(t, 0, "kamgen_write_queued_bytes_max")
}

// A handler's panic and a handler's failure are counted by its type.
func TestPanicsAndFailures(t *testing.T) {
	t.Run("panic", func(t *testing.T) {
		s := serve(t, chassis.Handler(testproto.NewBomb), chassis.ServerOptions{})
		c := s.dial(t)
		roundTrip(t, c, "hello")
		_, err := c.Write([]byte("boom"))
		require.NoError(t, err)
		s.waitFor(t, 1, "kamgen_component_panics_total", "component=testproto.Bomb")
		assert.Zero(t, s.get(t, "kamgen_component_failures_total", "component=testproto.Bomb"))
	})
	t.Run("failure", func(t *testing.T) {
		s := serve(t, chassis.Handler(testproto.NewFailer), chassis.ServerOptions{})
		c := s.dial(t)
		roundTrip(t, c, "hello")
		_, err := c.Write([]byte("fail"))
		require.NoError(t, err)
		s.waitFor(t, 1, "kamgen_component_failures_total", "component=testproto.Failer")
		assert.Zero(t, s.get(t, "kamgen_component_panics_total", "component=testproto.Failer"))
	})
}

// The scheduler's turns are counted and sampled into the histogram, and
// the run queue's length is there.
func TestTurnsAndRunQueue(t *testing.T) {
	s := serve(t, echo, chassis.ServerOptions{})
	c := s.dial(t)
	for range 500 {
		roundTrip(t, c, "ping")
	}
	turns := s.get(t, "kamgen_turns_total")
	timed := s.get(t, "kamgen_turn_duration_seconds")
	assert.Greater(t, turns, 500.0)
	assert.Positive(t, timed)
	assert.LessOrEqual(t, timed, turns/64+1, "one turn in 64 is timed")
	n, err := testutil.GatherAndCount(s.reg, "kamgen_run_queue_length")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, ok := s.value(t, "kamgen_run_queue_length")
	assert.True(t, ok)
}

// A runtime's metrics are registered once; a registry takes one runtime.
func TestRegisterTwice(t *testing.T) {
	rt := axontest.Runtime(t)
	require.NoError(t, metrics.Register(rt, prometheus.NewRegistry()))
	require.Error(t, metrics.Register(rt, prometheus.NewRegistry()), "the same runtime")
	reg := prometheus.NewRegistry()
	require.NoError(t, metrics.Register(axontest.Runtime(t), reg))
	require.Error(t, metrics.Register(axontest.Runtime(t), reg), "the same registry")
}

// Every metric is named and described as the Prometheus guide asks
// (testutil's lint).
func TestLint(t *testing.T) {
	s := serve(t, echo, chassis.ServerOptions{})
	roundTrip(t, s.dial(t), "hello")
	problems, err := testutil.GatherAndLint(s.reg)
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// An adapter whose server's budget is spent pauses its reads, counted
// under server_budget.
func TestServerBudgetPauses(t *testing.T) {
	s := serve(t, chassis.Handler(func() *testproto.Echo {
		e := testproto.NewEcho()
		e.In.Pause() // takes nothing: what was read stays in the budget
		return e
	}), chassis.ServerOptions{Conn: internet.ConnOptions{Budget: 4 << 20, ServerBudget: 8 << 10}})
	c := s.dial(t)
	chunk := bytes.Repeat([]byte("x"), 16<<10)
	ok := assert.Eventually(t, func() bool {
		_, err := c.Write(chunk)
		require.NoError(t, err)
		v, _ := s.value(t, "kamgen_read_pauses_total", "reason=server_budget")
		return v >= 1
	}, deadline, time.Millisecond)
	require.True(t, ok, "the adapter never paused for the server's budget")
	require.NoError(t, c.SetLinger(0))
	require.NoError(t, c.Close())
	s.waitFor(t, 0, "kamgen_connections_open")
	assert.Positive(t, s.get(t, "kamgen_read_paused_seconds_total", "reason=server_budget"))
}

// otherBoxes has an inbox and an outbox that are not fields of its struct:
// they are counted under the box name _other, each in its own direction.
type otherBoxes struct {
	axon.Component
	in  *axon.Inbox[int]
	out *axon.Outbox[int]
}

func (o *otherBoxes) Dispatch(t *axon.Turn) { axon.Serve(t, o.in, o.onIn) }
func (o *otherBoxes) onIn(m int)            { o.out.Send(m) }

func TestBoxesOutsideTheFields(t *testing.T) {
	rt := axontest.Runtime(t)
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, metrics.Register(rt, reg))
	o := &otherBoxes{}
	o.in = axon.NewInbox[int](&o.Component, "to-alice", 0)
	o.out = axon.NewOutbox[int](&o.Component, "from-alice", 0)
	snk := axontest.NewSink[int]()
	axontest.Link(t, o.out, &snk.In)
	require.NoError(t, rt.Activate(o, snk))
	for i := range 5 {
		require.NoError(t, o.in.Deliver(i))
	}
	require.Eventually(t, func() bool { return len(snk.Messages()) == 5 }, deadline, time.Millisecond)
	s := &server{reg: reg}
	s.waitFor(t, 5, "kamgen_box_messages_received_total", "component=metrics_test.otherBoxes", "box=_other")
	s.waitFor(t, 5, "kamgen_box_messages_sent_total", "component=metrics_test.otherBoxes", "box=_other")
	assert.GreaterOrEqual(t, s.get(t, "kamgen_box_high_water_messages", "component=metrics_test.otherBoxes", "box=_other"), 1.0)
	_, ok := s.value(t, "kamgen_box_messages_received_total", "component=metrics_test.otherBoxes", "box=to-alice")
	assert.False(t, ok, "no label per box made by name")
}
