package axon_test

import (
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conformance with Kamaelia's test_Ipc.py, for the two signals the runtime
// uses, and the way other packages derive their own.

func TestSignals(t *testing.T) {
	pf := &axon.ProducerFinished{}
	assert.Nil(t, pf.Caller, "caller defaults to nil")
	assert.Nil(t, pf.Message)
	assert.False(t, pf.StopNow())
	f := &axon.ProducerFinished{Caller: "me"}
	assert.Equal(t, "me", f.Caller)

	sd := &axon.ShutdownMicroprocess{}
	assert.True(t, sd.StopNow())
	assert.Empty(t, sd.Targets, "no targets means the receiver")
}

// socketShutdown-like signal: a new kind by embedding, as Kamaelia
// subclasses producerFinished.
type connClosed struct {
	axon.ProducerFinished
	Reason string
}

func TestDerivedSignalKeepsItsKind(t *testing.T) {
	var s axon.Signal = &connClosed{Reason: "reset"}
	assert.False(t, s.StopNow())
	_, isPF := s.(*axon.ProducerFinished)
	assert.False(t, isPF, "a derived signal is its own type")
}

// Convention (spec 1.12): a component that stops because of a signal
// forwards that same signal object.
func TestStopSignalIsForwardedAsTheSameObject(t *testing.T) {
	rt := newRT(t)
	r := newRelay[int]()
	snk := axontest.NewSink[int]()
	mustLink(t, &r.Signal, &snk.Control)
	require.NoError(t, rt.Activate(r, snk))
	sig := &axon.ShutdownMicroprocess{}
	require.NoError(t, r.Control.Deliver(sig))
	got := snk.WaitSignals(t, 1)
	assert.Same(t, sig, got[0])
}

// A producerFinished that follows data is handled after all of it, even
// when the data and the signal arrive while the consumer is running.
func TestSignalAfterDataIsHandledAfterTheData(t *testing.T) {
	for range 50 {
		rt := newRT(t)
		const n = 500
		msgs := make([]int, n)
		for i := range msgs {
			msgs[i] = i
		}
		src := axontest.NewSource(msgs...)
		r := newRelay[int]()
		r.In.SetCap(2) // the source blocks and resumes all the time
		snk := axontest.NewSink[int]()
		mustLink(t, &src.Out, &r.In)
		mustLink(t, &src.Signal, &r.Control)
		mustLink(t, &r.Out, &snk.In)
		mustLink(t, &r.Signal, &snk.Control)
		require.NoError(t, rt.Activate(src, r, snk))
		waitDone(t, snk)
		require.Equal(t, msgs, snk.Messages())
	}
}

// A component stopped while what it sent waits for room still delivers it
// when it finishes: nothing it sent is lost.
func TestStoppedComponentDeliversWhatItSent(t *testing.T) {
	rt := newRT(t)
	p := newPump(5)
	dst := newCounting()
	dst.In.SetCap(2)
	mustLink(t, &p.Out, &dst.In)
	require.NoError(t, rt.Activate(p))
	require.NoError(t, p.In.Deliver(0))
	idle(t, rt)
	require.Equal(t, 3, p.Out.Pending())
	p.Stop()
	waitDone(t, p)
	assert.Equal(t, 5, dst.In.Len(), "delivered past the capacity rather than dropped")
}

// Mirrors test_AdaptiveCommsComponent.py: boxes made while a component runs
// work like declared ones.
func TestBoxesAddedAtRunTime(t *testing.T) {
	rt := newRT(t)
	c := newCounting()
	require.NoError(t, rt.Activate(c))
	extraOut := axon.NewOutbox[int](&c.Component, "readerNotify", 0)
	extraIn := axon.NewInbox[int](&c.Component, "dynamic", 3)
	assert.Equal(t, "readerNotify", extraOut.Name())
	assert.Equal(t, 3, extraIn.Cap())
	assert.Equal(t, 0, extraIn.Len(), "starts empty")
	mustLink(t, extraOut, extraIn)
	require.True(t, extraOut.Offer(1))
	v, ok := extraIn.TryRecv()
	require.True(t, ok)
	assert.Equal(t, 1, v)
}
