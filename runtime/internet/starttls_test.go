package internet_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/testcert"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internal/testproto"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// testproto.StartTLS is linked for STARTTLS by ServerCore.
var _ chassis.TLSUpgrader = (*testproto.StartTLS)(nil)

// startTLSServer serves testproto.StartTLS: plain lines echoed until
// STARTTLS, then TLS. plain receives, at each upgrade, every byte the
// handler got in plain text.
func startTLSServer(t *testing.T, goInUpgrade bool, opts chassis.ServerOptions) (*chassis.ServerCore, *x509.CertPool, chan []byte) {
	t.Helper()
	cert, pool := testcert.New(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	plain := make(chan []byte, 4)
	if opts.TLS != nil {
		opts.TLS = cfg
	}
	srv := serve(t, "127.0.0.1:0", func(string, int, string, int) axon.Stage[[]byte, []byte] {
		return testproto.NewStartTLS(cfg, goInUpgrade, func(p []byte) { plain <- p })
	}, opts)
	return srv, pool, plain
}

func readString(t *testing.T, r io.Reader, n int) string {
	t.Helper()
	buf := make([]byte, n)
	_, err := io.ReadFull(r, buf)
	require.NoError(t, err)
	return string(buf)
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(deadline):
		t.Fatalf("no %s within %v", what, deadline)
		panic("unreachable")
	}
}

// STARTTLS, server side: a ServerCore handler answers STARTTLS in plain
// text and switches the connection to TLS. The client sends a plain line
// and STARTTLS in one write, and starts its handshake the moment it has
// the answer: the handler got exactly the plain bytes (no byte of the
// ClientHello read as plain text, none lost), and the rest is TLS, verified
// against the test certificate. A second STARTTLS over TLS makes the
// handler ask for a second upgrade, which the adapter ignores.
func TestServerSTARTTLS(t *testing.T) {
	for _, tc := range []struct {
		name        string
		goInUpgrade bool
	}{{"answer on outbox", false}, {"answer in the upgrade", true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, pool, plain := startTLSServer(t, tc.goInUpgrade, chassis.ServerOptions{})
			c := dial(t, srv)
			_, err := c.Write([]byte("hello\nSTARTTLS\n"))
			require.NoError(t, err)
			assert.Equal(t, "hello\nGO\n", readString(t, c, len("hello\nGO\n")))

			tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
			require.NoError(t, tc.Handshake())
			assert.Equal(t, "hello\nSTARTTLS\n", string(receive(t, plain, "upgrade")), "the plain bytes, all and only them")

			for _, msg := range []string{"secret\n", strings.Repeat("big secret ", 20000) + "\n"} {
				errc := make(chan error, 1)
				go func() { _, err := tc.Write([]byte(msg)); errc <- err }()
				assert.Equal(t, msg, readString(t, tc, len(msg)))
				require.NoError(t, <-errc)
			}
			_, err = tc.Write([]byte("STARTTLS\n"))
			require.NoError(t, err)
			assert.Equal(t, "GO\n", readString(t, tc, 3), "over TLS")
			_, err = tc.Write([]byte("still TLS\n"))
			require.NoError(t, err)
			assert.Equal(t, "still TLS\n", readString(t, tc, len("still TLS\n")), "the second upgrade was ignored")
			select {
			case p := <-plain:
				t.Fatalf("a second upgrade happened (plain %q)", p)
			default:
			}
			require.NoError(t, tc.Close())
		})
	}
}

// On a server that speaks TLS from the start (ServerOptions.TLS), a
// handler's makessl changes nothing: "sslready" answers it, and the
// connection goes on over the TLS it had.
func TestServerSTARTTLSOnATLSServer(t *testing.T) {
	srv, pool, plain := startTLSServer(t, false, chassis.ServerOptions{TLS: &tls.Config{}})
	c, err := tls.Dial("tcp", srv.Addr().String(), &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	_, err = c.Write([]byte("STARTTLS\n"))
	require.NoError(t, err)
	assert.Equal(t, "GO\n", readString(t, c, 3))
	assert.Equal(t, "STARTTLS\n", string(receive(t, plain, "sslready")))
	_, err = c.Write([]byte("after\n"))
	require.NoError(t, err)
	assert.Equal(t, "after\n", readString(t, c, len("after\n")))
}

// lineServer is a plain-text line server for TCPClient: it echoes each
// line with "plain: " until "STARTTLS", answers "GO", waits for the
// client's ClientHello (reported on hello) and for proceed, then completes
// the TLS handshake as the server and echoes each line with "secure: ",
// reporting it on secure, until the client closes.
type lineServer struct {
	addr    string
	hello   chan struct{}
	proceed chan struct{}
	secure  chan string
	done    chan struct{} // closed when the server has finished, with err
	err     error
}

func newLineServer(t *testing.T, cert tls.Certificate) *lineServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &lineServer{
		addr:    ln.Addr().String(),
		hello:   make(chan struct{}),
		proceed: make(chan struct{}),
		secure:  make(chan string, 16),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		defer ln.Close()
		s.err = s.serve(ln, cert)
	}()
	t.Cleanup(func() {
		select {
		case <-s.proceed:
		default:
			close(s.proceed)
		}
		ln.Close()
		<-s.done
	})
	return s
}

func (s *lineServer) serve(ln net.Listener, cert tls.Certificate) error {
	c, err := ln.Accept()
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(deadline))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if line == "STARTTLS\n" {
			break
		}
		if _, err := c.Write([]byte("plain: " + line)); err != nil {
			return err
		}
	}
	if r.Buffered() > 0 {
		return errors.New("plain bytes came after STARTTLS")
	}
	if _, err := c.Write([]byte("GO\n")); err != nil {
		return err
	}
	if _, err := r.Peek(1); err != nil { // the ClientHello
		return err
	}
	close(s.hello)
	<-s.proceed
	tc := tls.Server(&readerConn{Conn: c, r: r}, &tls.Config{Certificates: []tls.Certificate{cert}})
	if err := tc.Handshake(); err != nil {
		return err
	}
	tr := bufio.NewReader(tc)
	for {
		line, err := tr.ReadString('\n')
		if err == io.EOF {
			return tc.Close()
		}
		if err != nil {
			return err
		}
		s.secure <- line
		if _, err := tc.Write([]byte("secure: " + line)); err != nil {
			return err
		}
	}
}

// end waits for the server to finish and returns its error.
func (s *lineServer) end(t *testing.T) error {
	t.Helper()
	receive(t, s.done, "the server's end")
	return s.err
}

// readerConn reads through a bufio.Reader that may hold bytes already.
type readerConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *readerConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// STARTTLS, client side: a TCPClient connected in plain text gets
// "makessl", from a component linked to it (StartTLS: it connects without
// waiting for it), once lines have flowed. Its adapter stops reading plain text,
// starts the handshake (the server sees the ClientHello), and holds what
// is sent meanwhile until the handshake is done; "sslready" follows, then
// everything goes over TLS, and the server reads it decrypted. A second
// "makessl" is ignored; the client ends normally.
func TestClientSTARTTLS(t *testing.T) {
	cert, pool := testcert.New(t)
	srv := newLineServer(t, cert)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.addr)
	client.TLSConfig = &tls.Config{RootCAs: pool}
	client.StartTLS = true
	starttls := axontest.NewSource("starttls")
	axontest.Link(t, &starttls.Out, &client.MakeSSL)
	snk := collect(t, client)
	ready := axontest.NewSink[axon.None]()
	axontest.Link(t, &client.SSLReady, &ready.In)
	require.NoError(t, client.In.Deliver([]byte("hello\n")))
	require.NoError(t, rt.Activate(client, snk, ready))
	snk.WaitFor(t, "the plain echo", func() bool { return joined(snk.Messages()) == "plain: hello\n" })
	require.NoError(t, client.In.Deliver([]byte("STARTTLS\n")))
	snk.WaitFor(t, "GO", func() bool { return joined(snk.Messages()) == "plain: hello\nGO\n" })

	require.NoError(t, rt.Activate(starttls)) // it sends "makessl" at once
	receive(t, srv.hello, "ClientHello")
	// The upgrade is under way: this waits, and goes over TLS.
	require.NoError(t, client.In.Deliver([]byte("early\n")))
	close(srv.proceed)
	ready.WaitCount(t, 1)
	assert.Equal(t, "early\n", receive(t, srv.secure, "a line over TLS"))

	require.NoError(t, client.MakeSSL.Deliver("again")) // ignored
	require.NoError(t, client.In.Deliver([]byte("secret\n")))
	assert.Equal(t, "secret\n", receive(t, srv.secure, "a line over TLS"))
	want := "plain: hello\nGO\nsecure: early\nsecure: secret\n"
	snk.WaitFor(t, "the secure echoes", func() bool { return joined(snk.Messages()) == want })

	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, client)
	require.NoError(t, srv.end(t))
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	assert.Nil(t, sigs[0].(*axon.ProducerFinished).Message, "a normal end")
	assert.Len(t, ready.Messages(), 1, "one sslready")
}

// A server whose certificate does not verify: the upgrade closes the
// client's connection, and the client ends with the verification error.
func TestClientSTARTTLSRefusesAnUnverifiedServer(t *testing.T) {
	cert, _ := testcert.New(t)
	srv := newLineServer(t, cert)
	close(srv.proceed)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.addr) // system roots: the test certificate is unknown
	snk := collect(t, client)
	ready := axontest.NewSink[axon.None]()
	axontest.Link(t, &client.SSLReady, &ready.In)
	require.NoError(t, client.In.Deliver([]byte("STARTTLS\n")))
	require.NoError(t, rt.Activate(client, snk, ready))
	snk.WaitFor(t, "GO", func() bool { return joined(snk.Messages()) == "GO\n" })
	require.NoError(t, client.MakeSSL.Deliver("starttls"))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	reason, _ := sigs[0].(*axon.ProducerFinished).Message.(error)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "certificate")
	assert.Contains(t, reason.Error(), "RootCAs", "the error says what to do")
	var verr *tls.CertificateVerificationError
	assert.ErrorAs(t, reason, &verr)
	assert.Empty(t, ready.Messages())
	assert.Error(t, srv.end(t), "the server's handshake failed too")
}

// adapterRig is a ConnectedSocketAdapter on a real connection, with its
// boxes recorded, and the standard-library peer of the connection.
type adapterRig struct {
	csa   *internet.ConnectedSocketAdapter
	out   *axontest.Sink[[]byte]
	ready *axontest.Sink[axon.None]
	peer  *net.TCPConn
}

// readyChan is a poll.Watcher that wakes a goroutine.
type readyChan chan struct{}

func (r readyChan) Ready(poll.Events) {
	select {
	case r <- struct{}{}:
	default:
	}
}

func newAdapterRig(t *testing.T) *adapterRig {
	t.Helper()
	p, err := poll.Default()
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	l, err := p.Listen("tcp", "127.0.0.1:0", poll.ListenConfig{})
	require.NoError(t, err)
	defer l.Close()
	lw := make(readyChan, 1)
	require.NoError(t, l.Watch(lw))
	peer, err := net.DialTimeout("tcp", l.Addr().String(), deadline)
	require.NoError(t, err)
	t.Cleanup(func() { peer.Close() })
	require.NoError(t, peer.SetDeadline(time.Now().Add(deadline)))
	var conn poll.Conn
	for conn == nil {
		conn, err = l.Accept()
		if errors.Is(err, poll.ErrWouldBlock) {
			receive(t, lw, "a connection")
			continue
		}
		require.NoError(t, err)
	}
	r := &adapterRig{
		csa:   internet.NewConnectedSocketAdapter(conn, internet.ConnOptions{}),
		out:   axontest.NewSink[[]byte](),
		ready: axontest.NewSink[axon.None](),
		peer:  peer.(*net.TCPConn),
	}
	r.out.KeepRunning = true
	axontest.Link(t, &r.csa.Out, &r.out.In)
	axontest.Link(t, &r.csa.Signal, &r.out.Control)
	axontest.Link(t, r.csa.SSLReady(), &r.ready.In)
	rt := axontest.Runtime(t, quiet)
	require.NoError(t, rt.Activate(r.csa, r.out, r.ready))
	return r
}

// closedWith waits for the adapter's closing *SocketShutdown and returns
// its error.
func (r *adapterRig) closedWith(t *testing.T) error {
	t.Helper()
	var err error
	r.out.WaitFor(t, "the connection's close", func() bool {
		for _, s := range r.out.Signals() {
			if ss, ok := s.(*internet.SocketShutdown); ok && ss.Closed {
				err = ss.Err
				return true
			}
		}
		return false
	})
	return err
}

// What the adapter's "inbox" gets once it has taken the upgrade waits for
// the handshake and goes over TLS: the upgrade's Plain answer, written only
// after the adapter took it, tells the peer when that is.
func TestAdapterWritesWhatComesDuringTheUpgradeOverTLS(t *testing.T) {
	cert, pool := testcert.New(t)
	r := newAdapterRig(t)
	require.NoError(t, r.csa.In.Deliver([]byte("before\n")))
	require.NoError(t, r.csa.MakeSSL().Deliver(&internet.TLSUpgrade{
		Config: &tls.Config{Certificates: []tls.Certificate{cert}},
		Server: true,
		Plain:  []byte("GO\n"),
	}))
	assert.Equal(t, "before\nGO\n", readString(t, r.peer, len("before\nGO\n")))
	require.NoError(t, r.csa.In.Deliver([]byte("during\n")))
	tc := tls.Client(r.peer, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	require.NoError(t, tc.Handshake())
	assert.Equal(t, "during\n", readString(t, tc, len("during\n")))
	r.ready.WaitCount(t, 1)
	_, err := tc.Write([]byte("from the peer"))
	require.NoError(t, err)
	r.out.WaitFor(t, "the peer's bytes", func() bool { return joined(r.out.Messages()) == "from the peer" })
}

// An upgrade that cannot work closes the connection, with an error that
// says what to do.
func TestAdapterRefusesABadUpgrade(t *testing.T) {
	for _, tc := range []struct {
		name string
		up   *internet.TLSUpgrade
		want string
	}{
		{"nil", nil, "send a *internet.TLSUpgrade"},
		{"no config", &internet.TLSUpgrade{Server: true}, "give it a *tls.Config"},
		{"server without certificate", &internet.TLSUpgrade{Server: true, Config: &tls.Config{}}, "set Config.Certificates"},
		{"client without server name", &internet.TLSUpgrade{Config: &tls.Config{}}, "set it to the host name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newAdapterRig(t)
			require.NoError(t, r.csa.MakeSSL().Deliver(tc.up))
			err := r.closedWith(t)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = r.peer.Read(make([]byte, 1))
			assert.Equal(t, io.EOF, err, "closed")
		})
	}
}

// A peer that never completes the handshake: the upgrade's Timeout closes
// the connection and says so.
func TestAdapterUpgradeTimeout(t *testing.T) {
	cert, _ := testcert.New(t)
	r := newAdapterRig(t)
	require.NoError(t, r.csa.MakeSSL().Deliver(&internet.TLSUpgrade{
		Config:  &tls.Config{Certificates: []tls.Certificate{cert}},
		Server:  true,
		Timeout: 50 * time.Millisecond,
	}))
	err := r.closedWith(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not done within 50ms")
	assert.Empty(t, r.ready.Messages())
}

// An adapter stopped in the middle of its handshake (ServerCore does so to
// a connection that outlives its handler) ends it: the socket is closed and
// no goroutine is left (goleak checks).
func TestAdapterStoppedDuringTheUpgrade(t *testing.T) {
	cert, _ := testcert.New(t)
	r := newAdapterRig(t)
	require.NoError(t, r.csa.MakeSSL().Deliver(&internet.TLSUpgrade{
		Config: &tls.Config{Certificates: []tls.Certificate{cert}},
		Server: true,
		Plain:  []byte("GO\n"),
	}))
	assert.Equal(t, "GO\n", readString(t, r.peer, 3))
	r.csa.Stop()
	axontest.WaitDone(t, r.csa)
	_, err := r.peer.Read(make([]byte, 1))
	assert.Equal(t, io.EOF, err, "closed")
}
