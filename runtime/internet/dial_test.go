package internet_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/testcert"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// slowDialer is a Poller whose Dial connects for real, then holds the
// connection until its gate opens, whatever the context says: a dial that
// has already connected when it is told to give up.
type slowDialer struct {
	poll.Poller
	begun chan struct{}
	gate  chan struct{}
	conns chan net.Conn // the server's ends of what Dial connected
	ln    net.Listener
}

func newSlowDialer(t *testing.T) *slowDialer {
	t.Helper()
	p, err := poll.Default()
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	d := &slowDialer{Poller: p, begun: make(chan struct{}, 1), gate: make(chan struct{}), conns: make(chan net.Conn, 1), ln: ln}
	go func() {
		c, err := ln.Accept()
		if err == nil {
			d.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.Close()
	})
	return d
}

func (d *slowDialer) Dial(_ context.Context, network, _ string) (poll.Conn, error) {
	conn, err := d.Poller.Dial(context.Background(), network, d.ln.Addr().String())
	d.begun <- struct{}{}
	<-d.gate
	return conn, err
}

// waitClosed waits for the peer of c to close: a read that ends with EOF.
func waitClosed(t *testing.T, c net.Conn, what string) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err := c.Read(make([]byte, 1))
	require.Error(t, err, what)
	var ne net.Error
	assert.False(t, errorAs(err, &ne) && ne.Timeout(), "%s: still open after 5 s", what)
}

func errorAs(err error, target *net.Error) bool {
	ne, ok := err.(net.Error)
	if ok {
		*target = ne
	}
	return ok
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not within 5 s", what)
	}
}

// A client stopped while it dials stops at once, and the connection its
// dial makes afterwards is closed, not leaked.
func TestClientStoppedWhileDialingClosesTheLateConnection(t *testing.T) {
	d := newSlowDialer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient("127.0.0.1:9").Poller(d)
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	wait(t, d.begun, "the dial")
	stop := &axon.ShutdownMicroprocess{}
	require.NoError(t, client.Control.Deliver(stop), "control is served while the dial is in flight")
	sigs := snk.WaitSignals(t, 1)
	assert.Same(t, stop, sigs[0])
	close(d.gate)
	axontest.WaitDone(t, client)
	server := <-d.conns
	defer server.Close()
	waitClosed(t, server, "the connection dialed after the stop")
}

// A makessl that comes while a plain dial is in flight aborts it and dials
// TLS: the client speaks TLS, and the plain connection, made too late, is
// closed.
func TestClientMakeSSLWhileDialingPlain(t *testing.T) {
	cert, pool := testcert.New(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	require.NoError(t, err)
	defer ln.Close()
	shook := make(chan struct{})
	go func() { // a TLS echo server that says when a handshake is done
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if c.(*tls.Conn).Handshake() == nil {
			close(shook)
			_, _ = io.Copy(c, c)
		}
	}()
	d := newSlowDialer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(ln.Addr().String()).Poller(d)
	client.TLSConfig = &tls.Config{RootCAs: pool}
	snk := collect(t, client)
	require.NoError(t, rt.Activate(client, snk))
	wait(t, d.begun, "the plain dial")
	require.NoError(t, client.MakeSSL.Deliver("now"), "makessl is served while the plain dial is in flight")
	require.NoError(t, client.In.Deliver([]byte("hello tls")))
	wait(t, shook, "the TLS dial's handshake")
	close(d.gate) // the plain dial returns its connection only now
	snk.WaitFor(t, "the echo over TLS", func() bool { return joined(snk.Messages()) == "hello tls" })
	server := <-d.conns
	defer server.Close()
	waitClosed(t, server, "the plain connection")
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{}))
	axontest.WaitDone(t, client)
}
