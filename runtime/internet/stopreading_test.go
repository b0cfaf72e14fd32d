package internet_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internet"
)

// StopReading ends an adapter's input where it stands: what the peer had
// sent is delivered, then a *SocketShutdown with ErrServerStopping (a
// half-close: HalfClosed), and nothing the peer sends afterwards; the
// connection still takes replies, and closes cleanly when asked to.
func TestStopReadingDeliversWhatCameThenEndsTheInput(t *testing.T) {
	r := newAdapterRig(t)
	const before = "sent before the stop\n"
	_, err := r.peer.Write([]byte(before))
	require.NoError(t, err)
	r.out.WaitFor(t, "what came before", func() bool { return joined(r.out.Messages()) == before })

	require.NoError(t, r.csa.Control.Deliver(&internet.StopReading{}))
	sigs := r.out.WaitSignals(t, 1)
	ss, ok := sigs[0].(*internet.SocketShutdown)
	require.True(t, ok, "%T", sigs[0])
	assert.True(t, errors.Is(ss.Err, internet.ErrServerStopping))
	assert.True(t, ss.HalfClosed(), "the handler may still reply")
	assert.Same(t, r.csa, ss.Conn)

	_, err = r.peer.Write([]byte("sent after the stop\n"))
	require.NoError(t, err)
	require.NoError(t, r.csa.In.Deliver([]byte("a reply\n")))
	assert.Equal(t, "a reply\n", readString(t, r.peer, len("a reply\n")), "replies are still written")
	assert.Equal(t, before, joined(r.out.Messages()), "nothing after the stop is delivered")

	// The handler closes: the peer reads the end, without a reset, though
	// it keeps its socket open.
	require.NoError(t, r.csa.Control.Deliver(&axon.ProducerFinished{}))
	require.NoError(t, r.peer.SetReadDeadline(time.Now().Add(2*time.Second)))
	_, err = r.peer.Read(make([]byte, 1))
	assert.ErrorIs(t, err, io.EOF)
}
