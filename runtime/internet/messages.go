package internet

import (
	"errors"
	"fmt"
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

// HalfClosed reports whether the connection's input has ended while it
// still takes replies: the peer closed only its sending side, or the
// server is stopping (ErrServerStopping).
func (s *SocketShutdown) HalfClosed() bool { return !s.Closed && errors.Is(s.Err, io.EOF) }

// ErrServerStopping is the Err of the *SocketShutdown a handler gets when
// its server stops gracefully: the input that had arrived was delivered,
// nothing more is read, and the handler's replies are all written before
// the connection closes. It wraps io.EOF, so HalfClosed reports true: a
// handler treats it as a client that has said all it will.
var ErrServerStopping = fmt.Errorf("the server is stopping: %w", io.EOF)

// StopReading asks a ConnectedSocketAdapter, on its "control" inbox, to
// end its input where it stands: it reads what has arrived, delivers it,
// then sends its handler a *SocketShutdown with ErrServerStopping and
// reads no more, while it goes on writing the handler's replies. It does
// not close the connection: the handler does, once it has answered.
// ServerCore's graceful stop sends it to every connection.
type StopReading struct {
	axon.ProducerFinished
}

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
