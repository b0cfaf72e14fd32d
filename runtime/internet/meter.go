package internet

import (
	"errors"
	"syscall"

	"github.com/kamgen/kamgen/runtime/internal/meter"
)

// An adapter's part in its runtime's metrics, when they are on: it opens
// and closes the connection's record, says why it closed and when its
// reads pause. The bytes are its own counters (connStats), which the
// record reads when scraped. The record lives in the cold part: an
// adapter without metrics holds none.

// startMeter opens the connection's record if the runtime's metrics are
// on.
func (c *ConnectedSocketAdapter) startMeter() {
	if s := meter.Of(c.Runtime()); s != nil {
		c.extra().meter = s.Conns.Open(&c.stats.in, &c.stats.out, &c.stats.queued)
	}
}

// meterOf returns the connection's record, or nil.
func (c *ConnectedSocketAdapter) meterOf() *meter.Conn {
	if x := c.cold; x != nil {
		return x.meter
	}
	return nil
}

// closeMeter counts the close, which err (what shut was given) caused.
func (c *ConnectedSocketAdapter) closeMeter(err error) {
	m := c.meterOf()
	if m == nil {
		return
	}
	var r meter.Reason
	switch {
	case m.TimedOut:
		r = meter.Timeout
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		r = meter.Reset
	case err != nil:
		r = meter.Failed
	case m.PeerClosed:
		r = meter.ClientClosed
	case c.stopReading != 0:
		r = meter.ServerShutdown
	default:
		r = meter.HandlerClosed
	}
	m.Close(r)
}

// timedOut closes the connection for a timeout.
func (c *ConnectedSocketAdapter) timedOut(err error) {
	if m := c.meterOf(); m != nil {
		m.TimedOut = true
	}
	c.shut(err)
}

// hold records that reads pause: for the server's budget if it is spent
// (which also makes the handler's inbox full), else for the handler.
func (c *ConnectedSocketAdapter) hold() {
	if m := c.meterOf(); m != nil {
		why := meter.HandlerFull
		if c.opts.pool.Over() {
			why = meter.ServerBudget
		}
		m.Hold(why)
	}
}

// resume records that reads go on, if they had paused.
func (c *ConnectedSocketAdapter) resume() {
	if m := c.meterOf(); m != nil {
		m.Resume()
	}
}

// countAccept counts an accepted connection, or a temporary accept error.
func (s *TCPServer) countAccept(err error) {
	if m := meter.Of(s.Runtime()); m != nil {
		if err != nil {
			m.Conns.AcceptErrors.Add(1)
		} else {
			m.Conns.Accepted.Add(1)
		}
	}
}
