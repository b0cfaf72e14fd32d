// Smtp is an SMTP receiver (RFC 5321 with SIZE, 8BITMIME and STARTTLS):
// it takes mail for any recipient and writes each message as a .eml file.
//
//	go run ./examples/smtp -addr 127.0.0.1:2525 -dir /tmp/mail
//	go run ./examples/smtp -tls-cert cert.pem -tls-key key.pem
//
// Without -tls-cert and -tls-key, STARTTLS uses a self-signed certificate
// for "localhost" and 127.0.0.1, made at start.
package main

//go:generate go tool kamgen

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
)

func main() {
	exmain.Main("smtp", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends. ready, if not nil, is told the address the
// server listens on.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("smtp", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:2525", "address to listen on")
	dir := fs.String("dir", "", "directory the messages are written to (default: a new temporary directory)")
	certFile := fs.String("tls-cert", "", "certificate for STARTTLS (PEM; default: a self-signed one)")
	keyFile := fs.String("tls-key", "", "the certificate's private key (PEM)")
	hostname := fs.String("hostname", "localhost", "the server's name, in its greeting and in Received:")
	maxSize := fs.Int("max-size", 10<<20, "the largest message accepted, in bytes")
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxSize <= 0 {
		return fmt.Errorf("-max-size %d: give a positive number of bytes", *maxSize)
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "smtp-")
		if err != nil {
			return err
		}
		*dir = d
	}
	var cert tls.Certificate
	var err error
	if *certFile != "" || *keyFile != "" {
		cert, err = tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("loading the TLS certificate: %w", err)
		}
	} else if cert, err = selfSigned(*hostname); err != nil {
		return err
	}
	cfg := &Config{
		Hostname: *hostname,
		MaxSize:  *maxSize,
		TLS:      &tls.Config{Certificates: []tls.Certificate{cert}},
		Save:     saveIn(*dir),
	}
	srv, err := chassis.NewServerCore(*addr, func(peer string, _ int, _ string, _ int) axon.Stage[[]byte, []byte] {
		return newSMTP(cfg, peer)
	}, chassis.ServerOptions{})
	if err != nil {
		return err
	}
	slog.Info("smtp server listening", "addr", srv.Addr().String(), "dir", *dir)
	if ready != nil {
		ready(srv.Addr().String())
	}
	return exmain.Run(ctx, *obs, srv)
}

// saveIn returns a Config.Save that writes each message into dir as a
// file of its own, named after the time it came and a random number. The
// message is written to a temporary file first, and renamed once whole:
// a reader of dir never sees half a message.
func saveIn(dir string) func(msg []byte) error {
	return func(msg []byte) error {
		f, err := os.CreateTemp(dir, ".incoming-*")
		if err != nil {
			return err
		}
		_, err = f.Write(msg)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		name := filepath.Join(dir, fmt.Sprintf("%s-%s.eml", time.Now().UTC().Format("20060102T150405.000000000"), filepath.Base(f.Name())[len(".incoming-"):]))
		if err == nil {
			err = os.Rename(f.Name(), name)
		}
		if err != nil {
			os.Remove(f.Name())
			slog.Error("smtp: writing a message", "dir", dir, "err", err)
		}
		return err
	}
}

// selfSigned makes a certificate for host, "localhost" and 127.0.0.1,
// valid for a year.
func selfSigned(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", host},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("making a self-signed certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
