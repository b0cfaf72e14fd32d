package internet

import (
	"errors"
	"io"
	"net/netip"

	"github.com/kamgen/kamgen/runtime/axon"
)

// SocketShutdown tells a protocol handler, on its control inbox, that its
// connection's input has ended or that the connection has closed: Kamaelia's
// socketShutdown, a ProducerFinished. Unlike Kamaelia's, it always names
// the connection it concerns (Kamaelia's B14 carried None instead).
//
// With Err == io.EOF and Closed false, the peer has only closed its side
// (a half-close): the handler can still send replies, and they are all
// written before the connection closes.
type SocketShutdown struct {
	axon.ProducerFinished
	Conn   *ConnectedSocketAdapter // the connection
	Peer   netip.AddrPort          // its remote end
	Err    error                   // why: io.EOF for the peer's FIN, the error for a reset or a timeout, nil for a close asked for
	Closed bool                    // the connection is closed: nothing more can be written
}

// HalfClosed reports whether the peer closed only its sending side: the
// connection still takes replies.
func (s *SocketShutdown) HalfClosed() bool { return !s.Closed && errors.Is(s.Err, io.EOF) }

// ServerShutdown asks a server to stop: Kamaelia's serverShutdown, a
// ShutdownMicroprocess. A protocol handler sends it on its "serversignal"
// outbox.
type ServerShutdown struct {
	axon.ShutdownMicroprocess
}

// NewConnection announces an accepted connection (Kamaelia's newCSA): the
// adapter that owns it, not yet activated, and its two ends.
type NewConnection struct {
	CSA         *ConnectedSocketAdapter
	Peer, Local netip.AddrPort
}
