package internet_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
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
)

func tlsServer(t *testing.T) (*chassis.ServerCore, *x509.CertPool) {
	t.Helper()
	cert, pool := testcert.New(t)
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
	})
	return srv, pool
}

// Server-side TLS from a tls.Config: a standard TLS client talks to it.
func TestServerTLS(t *testing.T) {
	srv, pool := tlsServer(t)
	c, err := tls.Dial("tcp", srv.Addr().String(), &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(deadline)))
	for _, msg := range []string{"over TLS\n", "and again\n"} {
		_, err = c.Write([]byte(msg))
		require.NoError(t, err)
		got := make([]byte, len(msg))
		_, err = io.ReadFull(c, got)
		require.NoError(t, err)
		assert.Equal(t, msg, string(got))
	}
}

// B13: a client that speaks TLS verifies the server and says sslready.
func TestClientTLS(t *testing.T) {
	srv, pool := tlsServer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	client.UseTLS = true
	client.TLSConfig = &tls.Config{RootCAs: pool}
	snk := collect(t, client)
	ready := axontest.NewSink[axon.None]()
	axontest.Link(t, &client.SSLReady, &ready.In)
	require.NoError(t, client.In.Deliver([]byte("secret")))
	require.NoError(t, rt.Activate(client, snk, ready))
	ready.WaitCount(t, 1)
	snk.WaitFor(t, "the echo", func() bool { return joined(snk.Messages()) == "secret" })
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, client)
}

// The seed's makessl: a message on "makessl" before the connection is up
// makes the client speak TLS.
func TestClientMakeSSL(t *testing.T) {
	srv, pool := tlsServer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	client.TLSConfig = &tls.Config{RootCAs: pool}
	client.Delay = 20 * time.Millisecond
	snk := collect(t, client)
	require.NoError(t, client.MakeSSL.Deliver(" make ssl "))
	require.NoError(t, client.In.Deliver([]byte("hello tls")))
	require.NoError(t, rt.Activate(client, snk))
	snk.WaitFor(t, "the echo", func() bool { return joined(snk.Messages()) == "hello tls" })
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, client)
}

// A server whose certificate does not verify is refused: the client ends
// with the verification error.
func TestClientRefusesAnUnverifiedServer(t *testing.T) {
	srv, _ := tlsServer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	client.UseTLS = true // system roots: the test certificate is unknown
	snk := collect(t, client)
	require.NoError(t, client.In.Deliver([]byte("never sent")))
	require.NoError(t, rt.Activate(client, snk))
	axontest.WaitDone(t, client)
	sigs := snk.WaitSignals(t, 1)
	require.Len(t, sigs, 1)
	reason, _ := sigs[0].(*axon.ProducerFinished).Message.(error)
	require.Error(t, reason)
	assert.Contains(t, reason.Error(), "certificate")
	assert.Empty(t, snk.Messages())
}

// A client whose makessl inbox is linked waits for the message before it
// connects: however late its sender runs, the connection speaks TLS from
// the first byte (the seed's Graphline races OneShot against the client).
func TestClientWaitsForALinkedMakeSSL(t *testing.T) {
	srv, pool := tlsServer(t)
	rt := axontest.Runtime(t, quiet)
	client := internet.NewTCPClient(srv.Addr().String())
	client.TLSConfig = &tls.Config{RootCAs: pool}
	snk := collect(t, client)
	ready := axontest.NewSink[axon.None]()
	axontest.Link(t, &client.SSLReady, &ready.In)
	late := axontest.NewSource(" make ssl ")
	axontest.Link(t, &late.Out, &client.MakeSSL)
	require.NoError(t, client.In.Deliver([]byte("after the handshake")))
	require.NoError(t, rt.Activate(client, snk, ready))
	// Let the client run first: a plain client would be connected by now.
	time.Sleep(50 * time.Millisecond) // ordering the two starts, not waiting for an event
	require.NoError(t, rt.Activate(late))
	ready.WaitCount(t, 1)
	snk.WaitFor(t, "the echo", func() bool { return joined(snk.Messages()) == "after the handshake" })
	require.NoError(t, client.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	axontest.WaitDone(t, client)
}

// Clients that connect to a TLS server and never complete their handshake
// are closed once the handshake timeout has passed, and hold no handler
// meanwhile; a client that does complete it is served.
func TestStalledHandshakesAreClosed(t *testing.T) {
	cert, pool := testcert.New(t)
	srv := serve(t, "127.0.0.1:0", chassis.Handler(testproto.NewEcho), chassis.ServerOptions{
		TLS:              &tls.Config{Certificates: []tls.Certificate{cert}},
		HandshakeTimeout: 200 * time.Millisecond,
	})
	const stalled = 50
	conns := make([]net.Conn, stalled)
	for i := range conns {
		c, err := net.DialTimeout("tcp", srv.Addr().String(), deadline)
		require.NoError(t, err)
		defer c.Close()
		conns[i] = c
	}
	good, err := tls.Dial("tcp", srv.Addr().String(), &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	defer good.Close()
	_, err = good.Write([]byte("still served"))
	require.NoError(t, err)
	require.NoError(t, good.SetReadDeadline(time.Now().Add(deadline)))
	got := make([]byte, len("still served"))
	_, err = io.ReadFull(good, got)
	require.NoError(t, err)
	assert.Equal(t, "still served", string(got))
	assert.Equal(t, 1, srv.Connections(), "the stalled handshakes hold no handler")
	for _, c := range conns {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(deadline)))
		_, err := c.Read(make([]byte, 1))
		require.Error(t, err, "closed at the handshake timeout")
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "still open after %v", deadline)
	}
}
