// Plain is examples/resp written the plain Go way, the yardstick the
// kamgen server is measured against: a goroutine per connection, reading
// with a bufio.Reader and answering through a bufio.Writer that is flushed
// when the client has nothing more buffered (so pipelined commands get
// their replies in one write). It runs the same commands on the same store.
//
//	go run ./examples/resp/plain -addr 127.0.0.1:6381
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/examples/resp/internal/store"
)

// The limits of a request, as the kamgen server's.
const (
	maxLine  = 64 << 10
	maxBulk  = 512 << 20
	maxArity = 1 << 20
)

func main() {
	exmain.Main("resp-plain", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves until ctx ends; ready, if not nil, is told the address.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("resp-plain", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:6381", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st := store.New()
	return exmain.ServePlain(ctx, "resp-plain", *addr, ready, func(c net.Conn) { serve(c, st) })
}

// errProtocol is a request that cannot be read: it is answered, and the
// connection closed.
var errProtocol = errors.New("Protocol error")

// serve answers one client until it leaves or sends what cannot be read.
func serve(c net.Conn, st *store.Store) {
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriterSize(c, 64<<10)
	var out []byte
	var args [][]byte
	for {
		var err error
		args, err = readCommand(r, args[:0])
		if err != nil {
			if errors.Is(err, errProtocol) {
				out = store.AppendError(out[:0], err.Error())
				w.Write(out)
				w.Flush()
			}
			return
		}
		out = st.Exec(out[:0], args)
		if _, err := w.Write(out); err != nil {
			return
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// readCommand reads one command, an array of bulk strings or an inline
// line, into args.
func readCommand(r *bufio.Reader, args [][]byte) ([][]byte, error) {
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if len(line) == 0 || line[0] != '*' {
			args = append(args, bytes.Fields(bytes.Clone(line))...)
			if len(args) == 0 {
				continue // an empty line
			}
			return args, nil
		}
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		if err != nil || n > maxArity {
			return nil, fmt.Errorf("%w: invalid multibulk length", errProtocol)
		}
		for range n {
			line, err := readLine(r)
			if err != nil {
				return nil, err
			}
			if len(line) == 0 || line[0] != '$' {
				return nil, fmt.Errorf("%w: expected '$'", errProtocol)
			}
			size, err := strconv.ParseInt(string(line[1:]), 10, 64)
			if err != nil || size < 0 || size > maxBulk {
				return nil, fmt.Errorf("%w: invalid bulk length", errProtocol)
			}
			b := make([]byte, size+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, err
			}
			if !bytes.HasSuffix(b, []byte("\r\n")) {
				return nil, fmt.Errorf("%w: a bulk string does not end with CRLF", errProtocol)
			}
			args = append(args, b[:size])
		}
		if n > 0 {
			return args, nil
		}
	}
}

// readLine reads a line of at most maxLine bytes, without its "\r\n".
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxLine {
		return nil, fmt.Errorf("%w: too big inline request", errProtocol)
	}
	if err != nil {
		return nil, err
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}
