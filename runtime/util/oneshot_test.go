package util_test

import (
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

func TestOneShot(t *testing.T) {
	o := util.NewOneShot([]byte("hello"))
	s := sinkFor(t, o)
	run(t, o, s)
	axontest.WaitDone(t, o)
	axontest.WaitDone(t, s)
	require.NoError(t, o.Err())
	require.Equal(t, [][]byte{[]byte("hello")}, s.Messages())
	require.Len(t, s.Signals(), 1)
	requireFinished(t, s.Signals()[0], o)
}

// Like Kamaelia's, OneShot ignores control: a shutdown waiting for it
// changes nothing.
func TestOneShotIgnoresControl(t *testing.T) {
	o := util.NewOneShot(42)
	require.NoError(t, o.Control.Deliver(&axon.ShutdownMicroprocess{}))
	s := sinkFor(t, o)
	rt := run(t, o, s)
	axontest.WaitDone(t, o)
	axontest.WaitDone(t, s)
	require.Equal(t, []int{42}, s.Messages())
	requireFinished(t, s.Signals()[0], o)
	require.Equal(t, int64(1), rt.Dropped(), "the shutdown was never read: dropped when it finished, and counted")
}

// Unlinked, it still finishes; what it sent waits in its outboxes, for a
// link, and nothing is dropped.
func TestOneShotUnlinked(t *testing.T) {
	o := util.NewOneShot("x")
	rt := run(t, o)
	axontest.WaitDone(t, o)
	require.Equal(t, 1, o.Out.Len())
	require.Equal(t, 1, o.Signal.Len())
	require.Zero(t, rt.Dropped())
}

func TestTriggeredOneShot(t *testing.T) {
	o := util.NewTriggeredOneShot[int]("go")
	s := sinkFor(t, o)
	run(t, o, s)
	require.False(t, o.Finished(), "waits for a trigger")
	require.NoError(t, o.In.Deliver(7))
	axontest.WaitDone(t, o)
	axontest.WaitDone(t, s)
	require.NoError(t, o.Err())
	require.Equal(t, []string{"go"}, s.Messages())
	require.Len(t, s.Signals(), 1)
	requireFinished(t, s.Signals()[0], o)
}

// Only the first trigger counts.
func TestTriggeredOneShotFiresOnce(t *testing.T) {
	o := util.NewTriggeredOneShot[string]([]byte("once"))
	for _, m := range []string{"a", "b", "c"} {
		require.NoError(t, o.In.Deliver(m))
	}
	s := sinkFor(t, o)
	rt := run(t, o, s)
	axontest.WaitDone(t, o)
	axontest.WaitDone(t, s)
	require.Equal(t, [][]byte{[]byte("once")}, s.Messages())
	require.Len(t, s.Signals(), 1)
	requireFinished(t, s.Signals()[0], o)
	require.Equal(t, int64(2), rt.Dropped(), "later triggers are never read: dropped when it finished, and counted")
}

// Before a trigger, any signal is forwarded and stops it without sending.
func TestTriggeredOneShotForwardsControl(t *testing.T) {
	for name, newSig := range signals() {
		t.Run(name, func(t *testing.T) {
			o := util.NewTriggeredOneShot[int]("never")
			s := sinkFor(t, o)
			run(t, o, s)
			sig := newSig()
			require.NoError(t, o.Control.Deliver(sig))
			axontest.WaitDone(t, o)
			axontest.WaitDone(t, s)
			require.NoError(t, o.Err())
			require.Empty(t, s.Messages())
			require.Equal(t, []axon.Signal{sig}, s.Signals())
		})
	}
}

// A trigger that arrived before the signal is handled first: the message
// and the OneShot's own ProducerFinished are sent, not the signal.
func TestTriggeredOneShotTriggerBeforeControl(t *testing.T) {
	o := util.NewTriggeredOneShot[int]("fired")
	require.NoError(t, o.In.Deliver(1))
	require.NoError(t, o.Control.Deliver(&axon.ProducerFinished{Caller: "upstream"}))
	s := sinkFor(t, o)
	run(t, o, s)
	axontest.WaitDone(t, o)
	axontest.WaitDone(t, s)
	require.Equal(t, []string{"fired"}, s.Messages())
	requireFinished(t, s.Signals()[0], o)
}
