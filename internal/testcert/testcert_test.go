package testcert_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/internal/testcert"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHandshake: a client that trusts only New's pool completes a
// handshake with a server that presents New's certificate, on 127.0.0.1,
// and one that trusts nothing does not.
func TestHandshake(t *testing.T) {
	cert, pool := testcert.New(t)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	require.NoError(t, err)
	defer l.Close()
	served := make(chan error, 2)
	go func() {
		for range 2 {
			c, err := l.Accept()
			if err != nil {
				served <- err
				return
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			_, err = io.Copy(c, c) // echo until the client closes
			_ = c.Close()
			served <- err
		}
	}()
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(dialer, "tcp", l.Addr().String(), &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = c.Write([]byte("ping"))
	require.NoError(t, err)
	got := make([]byte, 4)
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	require.Equal(t, "ping", string(got))
	require.NoError(t, c.Close())
	require.NoError(t, <-served)

	_, err = tls.DialWithDialer(dialer, "tcp", l.Addr().String(), &tls.Config{RootCAs: x509.NewCertPool()})
	require.ErrorContains(t, err, "certificate signed by unknown authority")
	<-served // the server's side of the refused handshake
}

// TestFiles: the files Files writes load as a key pair.
func TestFiles(t *testing.T) {
	certFile, keyFile, pool := testcert.Files(t)
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	require.NoError(t, err)
	leaf := pair.Leaf
	require.NotNil(t, leaf)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"})
	require.NoError(t, err)
}
