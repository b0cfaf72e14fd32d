package internet

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// ConnStats is what a connection has done so far, as its adapter counts
// it: for a live picture of a server and its metrics.
type ConnStats struct {
	Peer, Local netip.AddrPort
	Opened      time.Time // when the connection was accepted or dialled
	BytesIn     uint64    // read from the peer
	BytesOut    uint64    // written to the peer
	Queued      int       // taken from the handler, not yet written: bytes
}

// connStats are an adapter's counters: written in its turns, read from
// any goroutine.
type connStats struct {
	opened  int64 // UnixNano; set before activation, never changed
	in, out atomic.Uint64
	queued  atomic.Int32
}

// Stats returns the connection's counters. It may be called from any
// goroutine, at any time, and takes no lock: the figures are each exact,
// though not taken at one instant.
func (c *ConnectedSocketAdapter) Stats() ConnStats {
	return ConnStats{
		Peer:     c.Peer(),
		Local:    c.Local(),
		Opened:   time.Unix(0, c.stats.opened),
		BytesIn:  c.stats.in.Load(),
		BytesOut: c.stats.out.Load(),
		Queued:   int(c.stats.queued.Load()),
	}
}
