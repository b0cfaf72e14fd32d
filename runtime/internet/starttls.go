package internet

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/links"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// DefaultTLSUpgradeTimeout bounds an upgrade's TLS handshake when
// TLSUpgrade.Timeout is zero.
const DefaultTLSUpgradeTimeout = 30 * time.Second

// TLSUpgrade asks a ConnectedSocketAdapter, on its "makessl" inbox, to
// switch its connection to TLS where it stands (STARTTLS): what was sent in
// plain text stays plain, and what follows speaks TLS.
//
// A server that answers a STARTTLS command sends its plain answer, then a
// TLSUpgrade with Server set and a Config with its certificate. A client
// sends a TLSUpgrade without Server once the server has agreed, with a
// Config whose ServerName is the name the server's certificate must match
// (TCPClient fills it from its address). The adapter sends axon.None{} on
// "sslready" when the handshake is done; a failed handshake or certificate
// closes the connection, and the *SocketShutdown says why.
//
// Send nothing on the adapter's "inbox" between the TLSUpgrade and
// "sslready": what reaches the inbox before the adapter takes the upgrade
// is written in plain text, the rest waits and is written over TLS. Put the
// last plain answer in Plain rather than sending it on "inbox" just before:
// the adapter then stops reading plain input before the peer can have seen
// the answer, so a peer that starts its handshake at once is never misread
// (otherwise, a reactive handler's outbox holds its answer while the
// adapter's inbox is full, and the answer would follow the upgrade).
type TLSUpgrade struct {
	// Config configures TLS: certificates for a server; ServerName (and
	// RootCAs, for a private CA) for a client. It is used as it is, and
	// must not be changed afterwards.
	Config *tls.Config
	// Server makes the adapter the TLS server of the connection; otherwise
	// it is the client, and verifies the server's certificate against
	// Config.ServerName.
	Server bool
	// Plain is written in plain text after what the adapter already holds,
	// just before the handshake: the protocol's go-ahead ("220 Ready to
	// start TLS").
	Plain []byte
	// Timeout bounds the handshake (default DefaultTLSUpgradeTimeout).
	Timeout time.Duration
}

// check says what is wrong with an upgrade, and how to put it right.
func (u *TLSUpgrade) check() error {
	switch {
	case u == nil:
		return errors.New("makessl: nil *TLSUpgrade: send a *internet.TLSUpgrade with its Config")
	case u.Config == nil:
		return errors.New("makessl: TLSUpgrade.Config is nil: give it a *tls.Config (certificates for a server, ServerName for a client)")
	case u.Server && len(u.Config.Certificates) == 0 && u.Config.GetCertificate == nil && u.Config.GetConfigForClient == nil:
		return errors.New("makessl: a server TLSUpgrade needs a certificate: set Config.Certificates or Config.GetCertificate")
	case !u.Server && u.Config.ServerName == "" && !u.Config.InsecureSkipVerify:
		return errors.New("makessl: a client TLSUpgrade needs Config.ServerName: set it to the host name the server's certificate must match")
	}
	return nil
}

func (u *TLSUpgrade) timeout() time.Duration {
	if u.Timeout > 0 {
		return u.Timeout
	}
	return DefaultTLSUpgradeTimeout
}

// The phases of an adapter's upgrade.
const (
	tlsPlain     uint8 = iota // no upgrade asked for
	tlsFlushing               // asked: writing in plain text what came before it
	tlsHandshake              // the socket is with the handshake goroutine
	tlsOn                     // speaking TLS (or the upgrade failed): makessl is ignored
)

// csaTLS is what an adapter that may upgrade needs: its "makessl" and
// "sslready" boxes and the upgrade's state. It lives in the adapter's cold
// part, made when the boxes are asked for: an adapter that never upgrades
// holds none of it.
type csaTLS struct {
	makessl  *axon.Inbox[*TLSUpgrade]
	sslready *axon.Outbox[axon.None]
	conn     *upgradableConn // the adapter's conn
	phase    uint8
	req      *TLSUpgrade
	cancel   context.CancelFunc // abandons the handshake
}

// upgradableConn is the poll.Conn of an adapter that may upgrade: the socket
// under it is replaced, in the adapter's turn, when the upgrade is done,
// while its two ends, which other goroutines ask for (Peer, Local), stay.
type upgradableConn struct {
	cur           poll.Conn
	local, remote netip.AddrPort
}

func (u *upgradableConn) Watch(w poll.Watcher) error        { return u.cur.Watch(w) }
func (u *upgradableConn) Read(p []byte) (int, error)        { return u.cur.Read(p) }
func (u *upgradableConn) Writev(bufs [][]byte) (int, error) { return u.cur.Writev(bufs) }
func (u *upgradableConn) CloseWrite() error                 { return u.cur.CloseWrite() }
func (u *upgradableConn) Close() error                      { return u.cur.Close() }
func (u *upgradableConn) Unacked() (int, bool)              { return poll.Unacked(u.cur) }
func (u *upgradableConn) PendingError() error               { return poll.PendingError(u.cur) }
func (u *upgradableConn) LocalAddr() netip.AddrPort         { return u.local }
func (u *upgradableConn) RemoteAddr() netip.AddrPort        { return u.remote }

// MakeSSL returns the adapter's "makessl" inbox: a *TLSUpgrade there
// switches the connection to TLS (STARTTLS). Only the first one counts:
// once it is done, any other is ignored. On a connection that spoke TLS
// from its start (a server's with ServerOptions.TLS) the first one changes
// nothing, but "sslready" answers it all the same.
//
// The inbox and the "sslready" outbox (SSLReady) are made the first time
// either is asked for, with what an upgrade needs, so that the many
// connections that never upgrade do not pay for them. Ask for them while
// linking the adapter, before it is activated (ServerCore does so for a
// handler that is a chassis.TLSUpgrader, TCPClient for itself), never while
// it runs.
//
//kam:inbox makessl switch the connection to TLS where it stands (STARTTLS)
func (c *ConnectedSocketAdapter) MakeSSL() *axon.Inbox[*TLSUpgrade] { return c.tlsPart().makessl }

// SSLReady returns the adapter's "sslready" outbox: axon.None{} when an
// upgrade's handshake is done (and the server's certificate verified, for
// a client). See MakeSSL.
//
//kam:outbox sslready the upgrade's handshake is done
func (c *ConnectedSocketAdapter) SSLReady() *axon.Outbox[axon.None] { return c.tlsPart().sslready }

// tlsPart returns the adapter's upgrade state, making it and its boxes.
func (c *ConnectedSocketAdapter) tlsPart() *csaTLS {
	x := c.extra()
	if x.tls == nil {
		uc := &upgradableConn{cur: c.conn, local: c.conn.LocalAddr(), remote: c.conn.RemoteAddr()}
		x.tls = &csaTLS{
			makessl:  axon.NewInbox[*TLSUpgrade](&c.Component, "makessl", 0),
			sslready: axon.NewOutbox[axon.None](&c.Component, "sslready", 0),
			conn:     uc,
		}
		c.conn = uc
	}
	return x.tls
}

// tlsTurn is the part of a turn that an adapter with a "makessl" inbox
// adds. It reports whether the turn goes on with the adapter's I/O; while an
// upgrade is under way the adapter neither reads nor takes from "inbox".
func (c *ConnectedSocketAdapter) tlsTurn(u *csaTLS) bool {
	switch u.phase {
	case tlsPlain:
		req, ok := u.makessl.TryRecv()
		if !ok {
			return true
		}
		if err := req.check(); err != nil {
			c.shut(err)
			return false
		}
		if c.closing || c.inputDone {
			c.shut(errors.New("makessl: the connection is closing: a TLS upgrade needs both directions open; send makessl before closing"))
			return false
		}
		u.phase, u.req = tlsFlushing, req
		c.recallPlain()
		// What "inbox" holds came before the upgrade: it is written in
		// plain text, then the upgrade's own answer. Nothing more is read
		// from the socket in plain text.
		for n := c.In.Len(); n > 0; n-- {
			m, ok := c.In.TryRecv()
			if !ok {
				break
			}
			c.queue(m)
		}
		c.queue(req.Plain)
		fallthrough
	case tlsFlushing:
		if !c.writeQueued(false) || len(c.wq) > 0 {
			return false // closed, or Writable brings another turn
		}
		c.startUpgrade(u)
		return false
	case tlsHandshake:
		return false // upgraded goes on when the handshake is done
	default:
		u.drain() // a second upgrade is ignored
		return true
	}
}

// recallPlain takes back what the handler was sent and has not begun to
// handle, and drops it: it was read in plain text after the command that
// asked for TLS, and must never reach the handler as if it came inside TLS
// (RFC 3207 §5; CVE-2011-0411). The adapter's turn runs only when all it
// sent has been delivered, and it reads nothing more in plain text: after
// this, the handler's inbox holds nothing but what its current turn is
// handling.
func (c *ConnectedSocketAdapter) recallPlain() {
	n, bytes := 0, 0
	for {
		m, ok := links.Recall(&c.Out)
		if !ok {
			break
		}
		n, bytes = n+1, bytes+len(m)
	}
	if n > 0 {
		c.Log().Debug("makessl: dropped plain text that came after the request for TLS", "peer", c.conn.RemoteAddr().String(), "pieces", n, "bytes", bytes)
	}
}

// startUpgrade hands the socket to a work off the workers (axon.Go) that
// detaches it from the Selector and completes the handshake: a handshake
// blocks, and never runs on a worker. While it is in flight the adapter's
// inboxes wait: it neither reads nor takes from "inbox".
func (c *ConnectedSocketAdapter) startUpgrade(u *csaTLS) {
	u.phase = tlsHandshake
	req := u.req
	u.req = nil
	old := u.conn.cur
	abandoned, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	axon.Go(c, func(ctx context.Context) (poll.Conn, error) {
		ctx, stop := context.WithTimeout(ctx, req.timeout()) // ends too when the adapter stops
		defer stop()
		defer context.AfterFunc(abandoned, stop)()
		return upgrade(ctx, old, req)
	}, c.upgraded)
}

// upgraded takes the handshake's result: the adapter goes on over TLS, or
// closes with the handshake's error.
func (c *ConnectedSocketAdapter) upgraded(conn poll.Conn, err error) {
	u := c.cold.tls
	if u.phase != tlsHandshake { // abandoned: the connection has closed
		if conn != nil {
			_ = conn.Close()
		}
		return
	}
	u.cancel()
	u.phase = tlsOn
	if err != nil {
		c.shut(fmt.Errorf("makessl: %w", err))
		return
	}
	u.conn.cur = conn
	if err := conn.Watch(c); err != nil {
		c.shut(fmt.Errorf("makessl: watching the TLS connection: %w", err))
		return
	}
	c.readMore = true
	if t := c.clock(); t != nil {
		t.lastRead, t.lastWrite = time.Now(), time.Now()
	}
	u.sslready.Send(axon.None{})
}

// abandon ends an upgrade under way, when the connection closes: the
// handshake is interrupted, and the connection it makes, if it still makes
// one, closed (by upgraded, or by axon.Go once the adapter has stopped).
func (u *csaTLS) abandon() {
	if u.phase != tlsHandshake {
		return
	}
	u.phase = tlsOn
	u.cancel()
}

// drain drops what waits on "makessl".
func (u *csaTLS) drain() {
	for {
		if _, ok := u.makessl.TryRecv(); !ok {
			return
		}
	}
}

// upgrade detaches old from its Selector and speaks TLS over it, within
// ctx: it runs in a goroutine of its own. A connection that spoke TLS
// already (a TLS server's, ServerOptions.TLS) comes back as it was.
func upgrade(ctx context.Context, old poll.Conn, req *TLSUpgrade) (poll.Conn, error) {
	// Closing old is what stops a Detach that waits for the peer to take
	// what was written.
	stop := context.AfterFunc(ctx, func() { _ = old.Close() })
	raw, err := poll.Detach(old)
	if !stop() {
		if err == nil {
			raw.Close()
		}
		return nil, upgradeTimeout(ctx, req)
	}
	if err != nil {
		return nil, fmt.Errorf("handing the connection over to TLS: %w", err)
	}
	if speaksTLS(raw) {
		return poll.WrapConn(raw), nil
	}
	var tc *tls.Conn
	if req.Server {
		tc = tls.Server(raw, req.Config)
	} else {
		tc = tls.Client(raw, req.Config)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		if ctx.Err() != nil {
			return nil, upgradeTimeout(ctx, req)
		}
		var verr *tls.CertificateVerificationError
		if errors.As(err, &verr) {
			return nil, fmt.Errorf("TLS handshake: %w (trust the server's CA in Config.RootCAs, or check Config.ServerName)", err)
		}
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return poll.WrapConn(tc), nil
}

// upgradeTimeout says why an upgrade stopped before its end.
func upgradeTimeout(ctx context.Context, req *TLSUpgrade) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("TLS handshake not done within %v: the peer did not complete it (raise TLSUpgrade.Timeout for a slow peer)", req.timeout())
	}
	return errors.New("TLS handshake abandoned: the connection closed")
}

// speaksTLS reports whether a detached connection is a TLS one already.
func speaksTLS(c net.Conn) bool {
	if _, ok := c.(*tls.Conn); ok {
		return true
	}
	if w, ok := c.(interface{ NetConn() net.Conn }); ok {
		_, ok := w.NetConn().(*tls.Conn)
		return ok
	}
	return false
}
