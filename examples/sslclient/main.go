// Sslclient is a console client for a TLS server: lines typed go to the
// server, and what it sends back is printed. It is the SSL example of
// Kamaelia's TCPClient, a Graphline in which a OneShot tells the client
// to speak TLS on its "makessl" inbox:
//
//	Graphline(
//	    MAKESSL = OneShot(" make ssl "),
//	    CONSOLE = ConsoleReader(),
//	    ECHO = ConsoleEchoer(),
//	    CONNECTION = TCPClient("kamaelia.svn.sourceforge.net", 443),
//	    linkages = {
//	        ("MAKESSL", "outbox"): ("CONNECTION", "makessl"),
//	        ("CONSOLE", "outbox"): ("CONNECTION", "inbox"),
//	        ("CONNECTION", "outbox"): ("ECHO", "inbox"),
//	    }
//	)
//
// The server's certificate is verified against the host name of -addr,
// with the system's roots, or with the certificates of -ca for a server
// whose certificate is its own (self-signed). Against the echo example:
//
//	go run ./examples/echo -tls-cert cert.pem -tls-key key.pem &
//	go run ./examples/sslclient -addr 127.0.0.1:1500 -ca cert.pem
//
// The client starts dialing in its first turn, before it has read
// "makessl"; the OneShot's message makes it drop that dial, and any plain
// connection it had already made, and dial again with TLS. So a TLS server
// may see one connection close without a handshake.
//
// The end of the input (Ctrl-D) closes the connection; the end of the
// connection ends the program, with an error if it failed.
package main

//go:generate go tool kamgen

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/kamgen/kamgen/runtime/internet"
	"github.com/kamgen/kamgen/runtime/util"
)

func main() {
	exmain.Main("sslclient", func(ctx context.Context, args []string) error { return run(ctx, args, os.Stdin, os.Stdout) })
}

// run connects, sends the lines read from stdin and writes what the server
// sends to stdout, until stdin ends, the server closes, or ctx ends.
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("sslclient", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1500", "address of the TLS server (host:port)")
	ca := fs.String("ca", "", "trust the certificates in this PEM file instead of the system's roots")
	obs := exmain.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := &tls.Config{}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			return err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("-ca %s: no PEM certificate in it", *ca)
		}
	}
	g, err := client(*addr, cfg, stdin, stdout)
	if err != nil {
		return err
	}
	slog.Info("connecting with TLS", "addr", *addr)
	return exmain.Run(ctx, *obs, g)
}

// client builds the seed's Graphline. MAKESSL comes first, so that its
// message reaches the client before the connection is up: the runtime
// starts the children in order.
func client(addr string, cfg *tls.Config, stdin io.Reader, stdout io.Writer) (*chassis.Graphline[axon.None, axon.None], error) {
	makessl := util.NewOneShot(" make ssl ")
	console := util.NewConsoleReader()
	console.Reader, console.PromptWriter = stdin, stdout
	connection := internet.NewTCPClient(addr)
	connection.TLSConfig = cfg
	echo := util.NewConsoleEchoer[[]byte]()
	echo.Writer = stdout
	hangup := NewHangup()
	g := chassis.NewGraphline[axon.None, axon.None](makessl, console, connection, echo, hangup)
	err := g.Wire(
		axon.Wire(&makessl.Out, &connection.MakeSSL),
		axon.Wire(&console.Out, &connection.In),
		axon.Wire(&connection.Out, &echo.In),
		// Not in the seed, whose client never ended: the end of the input
		// closes the connection, and the end of the connection stops the
		// echoer, then the reader.
		axon.Wire(&console.Signal, &connection.Control),
		axon.Wire(&connection.Signal, &echo.Control),
		axon.Wire(&echo.Signal, &hangup.Control),
		axon.Wire(&hangup.Reader, &console.Control),
	)
	return g, err
}
