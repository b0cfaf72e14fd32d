package axon_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
)

// puller takes input only when it is ready: it pauses its inbox after each
// message "pause", mid-batch, and the test resumes it.
type puller struct {
	axon.Component
	In      axon.Inbox[string]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[string]
	ends    chan struct{} // told at the end of each turn
}

func newPuller() *puller {
	p := &puller{ends: make(chan struct{}, 64)}
	p.In.Init(&p.Component, "inbox", 4)
	p.Control.Init(&p.Component, "control", 0)
	p.Out.Init(&p.Component, "outbox", 0)
	return p
}

func (p *puller) Dispatch(t *axon.Turn) {
	axon.Serve(t, &p.In, func(m string) {
		p.Out.Send(m)
		if m == "pause" {
			p.In.Pause()
		}
	})
	axon.ServeLast(t, &p.Control, func(sig axon.Signal) { p.Out.Send("signal"); p.Stop() })
}

func (p *puller) OnTurnEnd() { p.ends <- struct{}{} }

// A pause takes effect at once, in the middle of a batch: the rest waits,
// the inbox fills and refuses more, a signal after the data waits too, and
// Resume serves everything in order.
func TestPauseHoldsInputUntilResume(t *testing.T) {
	rt := axontest.Runtime(t)
	p := newPuller()
	out := axontest.NewSink[string]()
	axontest.Link(t, &p.Out, &out.In)
	for _, m := range []string{"a", "pause", "b", "c"} {
		require.NoError(t, p.In.Deliver(m))
	}
	require.NoError(t, p.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	require.NoError(t, rt.Activate(p, out))
	assert.Equal(t, []string{"a", "pause"}, out.WaitCount(t, 2))
	require.True(t, p.In.Paused())
	require.NoError(t, p.In.Deliver("d"))
	require.NoError(t, p.In.Deliver("e"))
	assert.ErrorIs(t, p.In.Deliver("f"), axon.ErrNoSpace, "a paused inbox fills")
	assert.Len(t, out.Messages(), 2, "nothing more is served while paused, not even the signal")
	p.In.Resume()
	assert.Equal(t, []string{"a", "pause", "b", "c", "d", "e", "signal"}, out.WaitCount(t, 7))
	axontest.WaitDone(t, p)
}

// A component held up by a full destination gets a turn when the
// destination drains: what it held goes out, and its OnTurnEnd runs.
func TestTurnWhenOutboxDrains(t *testing.T) {
	rt := axontest.Runtime(t)
	p := newPuller()
	var owner axon.Component // never activated: the test takes from its inbox
	dst := axon.NewInbox[string](&owner, "slow", 1)
	axontest.Link(t, &p.Out, dst)
	require.NoError(t, p.In.Deliver("a"))
	require.NoError(t, p.In.Deliver("b"))
	require.NoError(t, rt.Activate(p))
	deadline := time.Now().Add(axontest.Timeout)
	for dst.Len() == 0 && time.Now().Before(deadline) {
		runtime.Gosched() // the first turn sends "a"; "b" waits for room
	}
	assert.Empty(t, p.ends, "a turn held up by a full destination does not end")
	m, ok := dst.TryRecv()
	require.True(t, ok)
	assert.Equal(t, "a", m)
	waitTurnEnd(t, p) // room: a turn, which delivers "b"
	m, ok = dst.TryRecv()
	require.True(t, ok)
	assert.Equal(t, "b", m)
}

func waitTurnEnd(t *testing.T, p *puller) {
	t.Helper()
	select {
	case <-p.ends:
	case <-time.After(axontest.Timeout):
		t.Fatal("no turn ended")
	}
}
