// Package metrics exports a runtime's metrics to Prometheus: its
// connections, the bytes they move and how often their reads wait, the
// messages through each box of each component type, panics and failures,
// and the scheduler's turns and run queue.
//
//	rt := axon.NewRuntime()
//	if err := metrics.Register(rt, prometheus.DefaultRegisterer); err != nil {
//		return err
//	}
//	http.Handle("/metrics", promhttp.Handler())
//	return rt.Run(ctx, srv)
//
// Metrics are off until Register is called, and a process without them
// pays the test of one word where they would count. With them, the
// runtime counts in atomics of its own (a reactive component's, once per
// turn), which the collector reads when it is scraped: nothing is pushed
// to Prometheus per message. Register a
// runtime before it activates the components it is to count; those
// activated before are not counted.
//
// Labels are bounded: a component type and a box name, a close reason;
// never a connection or a component instance. A box not declared as a
// field of its component's struct (made with NewInbox or NewOutbox) is
// counted under the box name "_other".
//
// The metrics, their types and meanings are listed in docs/observing.md.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/meter"
)

// Register makes rt count its metrics and registers a collector of them
// with reg. It fails if reg refuses the collector (metrics of the same
// names are registered already: register each runtime with a registry of
// its own) or if rt's metrics were registered before.
func Register(rt *axon.Runtime, reg prometheus.Registerer) error {
	s := meter.New()
	c := &collector{rt: rt, s: s}
	if err := reg.Register(c); err != nil {
		return err
	}
	if err := meter.Install(rt, s); err != nil {
		reg.Unregister(c)
		return err
	}
	return nil
}

const ns = "kamgen"

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(ns+"_"+name, help, labels, nil)
}

var (
	connsOpen     = desc("connections_open", "Connections open now: accepted by a server or dialled by a client, and not yet closed.")
	connsAccepted = desc("connections_accepted_total", "Connections accepted by the runtime's servers.")
	connsClosed   = desc("connections_closed_total", "Connections closed, by reason: client_closed (the peer closed first), reset, timeout (idle, read, write or close), handler_closed, server_shutdown (a graceful stop), stopped (the adapter was stopped: its handler failed or outlived its grace, or the server stopped at once), error (another I/O error, a failed TLS handshake).", "reason")
	acceptErrors  = desc("accept_errors_total", "Temporary accept errors (EMFILE, ECONNABORTED), each followed by a back-off before the server accepts again.")
	readBytes     = desc("read_bytes_total", "Bytes read from connections.")
	writtenBytes  = desc("written_bytes_total", "Bytes written to connections.")
	queuedBytes   = desc("write_queued_bytes", "Bytes taken from handlers that wait to be written, over all connections.")
	queuedMax     = desc("write_queued_bytes_max", "Bytes that wait to be written on the connection with the most, now.")
	readPauses    = desc("read_pauses_total", "Times a connection stopped reading its socket for backpressure, by reason: handler_full (the handler's inbox is full), server_budget (the server's budget is spent, which fills every handler's inbox that holds anything).", "reason")
	readPaused    = desc("read_paused_seconds_total", "Time connections spent not reading for backpressure, by reason, counted when each pause ends: when the connection reads again, or closes.", "reason")
	boxSent       = desc("box_messages_sent_total", "Messages sent on an outbox, by component type and box.", "component", "box")
	boxReceived   = desc("box_messages_received_total", "Messages taken from an inbox by its component (handled, or received), by component type and box.", "component", "box")
	boxHigh       = desc("box_high_water_messages", "The most messages that have waited in one box, by component type and box: an inbox's queue, or what an outbox linked nowhere holds.", "component", "box")
	components    = desc("components", "Components active now, by type.", "component")
	panics        = desc("component_panics_total", "Components stopped by a panic in their handlers, hooks, Main or Go works, by type.", "component")
	failures      = desc("component_failures_total", "Components that finished with an error other than their own panic (Fail, a child's error), by type.", "component")
	dropped       = desc("messages_dropped_total", "Messages left in, or sent to, the inboxes of components that had finished.")
	turns         = desc("turns_total", "Turns run by the scheduler (a reactive component's handlers and hooks, once), counted 64 at a time by each worker.")
	turnDuration  = desc("turn_duration_seconds", "How long turns take, sampled: one turn in 64 is timed.")
	runQueue      = desc("run_queue_length", "Components waiting in the run queue for a worker.")
)

var all = []*prometheus.Desc{connsOpen, connsAccepted, connsClosed, acceptErrors, readBytes, writtenBytes,
	queuedBytes, queuedMax, readPauses, readPaused, boxSent, boxReceived, boxHigh, components, panics,
	failures, dropped, turns, turnDuration, runQueue}

// collector reads a runtime's counters when it is scraped.
type collector struct {
	rt *axon.Runtime
	s  *meter.Set
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range all {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	s := c.s
	cs := &s.Conns
	t := cs.Read()
	gauge(connsOpen, float64(t.Open))
	counter(connsAccepted, float64(cs.Accepted.Load()))
	for r := range meter.NumReasons {
		counter(connsClosed, float64(cs.Closed[r].Load()), r.String())
	}
	counter(acceptErrors, float64(cs.AcceptErrors.Load()))
	counter(readBytes, float64(t.In))
	counter(writtenBytes, float64(t.Out))
	gauge(queuedBytes, float64(t.Queued))
	gauge(queuedMax, float64(t.MaxQueued))
	for _, p := range []meter.Pause{meter.HandlerFull, meter.ServerBudget} {
		counter(readPauses, float64(cs.Pauses[p].Load()), p.String())
		counter(readPaused, float64(cs.PausedNs[p].Load())/1e9, p.String())
	}

	for _, k := range s.Kinds() {
		n, high, live := k.Read()
		gauge(components, float64(live), k.Name)
		counter(panics, float64(k.Panics.Load()), k.Name)
		counter(failures, float64(k.Failures.Load()), k.Name)
		var otherHigh int64
		others := false
		for i, v := range n {
			b := k.Boxes[i]
			if b.Name == meter.Other {
				if v == 0 && high[i] == 0 {
					continue // no box outside the fields
				}
				otherHigh, others = max(otherHigh, high[i]), true
			}
			if b.In {
				counter(boxReceived, float64(v), k.Name, b.Name)
			} else {
				counter(boxSent, float64(v), k.Name, b.Name)
			}
			if b.Name != meter.Other {
				gauge(boxHigh, float64(high[i]), k.Name, b.Name)
			}
		}
		if others { // inboxes and outboxes outside the fields: one mark
			gauge(boxHigh, float64(otherHigh), k.Name, meter.Other)
		}
	}

	counter(dropped, float64(c.rt.Dropped()))
	n, timed, sum, per := s.Turns()
	counter(turns, float64(n))
	buckets := make(map[float64]uint64, len(meter.TurnBuckets))
	var cum uint64
	for i, b := range meter.TurnBuckets {
		cum += per[i]
		buckets[b.Seconds()] = cum
	}
	ch <- prometheus.MustNewConstHistogram(turnDuration, timed, sum.Seconds(), buckets)
	q := 0
	if s.RunQueue != nil {
		q = s.RunQueue()
	}
	gauge(runQueue, float64(q))
}
