package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T, args ...string) *extest.Server {
	t.Helper()
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), ready)
	})
}

// Every byte comes back, in order; a client that leaves does not stop the
// server.
func TestEchoesEveryByte(t *testing.T) {
	srv := start(t)
	for range 3 {
		c := extest.Dial(t, srv.Addr)
		data := make([]byte, 1<<20)
		for i := range data {
			data[i] = byte(i * 31)
		}
		go func() {
			_, _ = c.Write(data)
			_ = c.CloseWrite()
		}()
		got, err := io.ReadAll(c)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data, got), "%d of %d bytes, in order", len(got), len(data))
		c.Close()
	}
}

// -tls-cert and -tls-key serve TLS.
func TestServesTLS(t *testing.T) {
	certFile, keyFile, pool := writeCert(t)
	srv := start(t, "-tls-cert", certFile, "-tls-key", keyFile)
	c, err := tls.Dial("tcp", srv.Addr, &tls.Config{RootCAs: pool})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Write([]byte("over TLS\n"))
	require.NoError(t, err)
	got := make([]byte, len("over TLS\n"))
	_, err = io.ReadFull(c, got)
	require.NoError(t, err)
	assert.Equal(t, "over TLS\n", string(got))
}

func TestBadCertificateIsAnError(t *testing.T) {
	err := run(extest.Context(t), []string{"-addr", "127.0.0.1:0", "-tls-cert", "/nonexistent", "-tls-key", "/nonexistent"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TLS certificate")
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "echo test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:        true, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return certFile, keyFile, pool
}
