package main

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/kamgen/kamgen/examples/resp/internal/store"
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/framing"
)

// The limits of a request, as Redis's: a line (an inline command, or a
// "*N" or "$N" header) of at most 64 KiB, a bulk string of at most 512 MB.
const (
	maxLine  = 64 << 10
	maxBulk  = 512 << 20
	maxArity = 1 << 20
	maxHint  = 64 << 10 // the most a turn's reply buffer starts with
)

// Session serves one client of the RESP2 protocol (Redis's): it reads
// commands, as arrays of bulk strings or inline ("SET a b" and a newline,
// as nc and telnet send), runs them on the shared store, and answers in
// order. Commands may come pipelined, cut anywhere.
//
// The inbox is line-framed: the handler is given the header lines of a
// request one at a time, and asks for a bulk string's body by its length
// (framing.Exact), so a value is never scanned for newlines. The replies
// of a turn, however many commands the client pipelined, go out as one
// message when the turn ends. A malformed request gets "-ERR Protocol
// error" and the connection closes, as with Redis; so does a line over
// 64 KiB or a bulk length over 512 MB, which is refused before anything
// is allocated for it.
type Session struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,lines=maxLine"` // requests, a line or a bulk string at a time
	Control axon.Inbox[axon.Signal]  `inbox:"control"`             // the connection ended, or the server stops
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`             // replies
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`             // closes the connection

	store *store.Store
	args  [][]byte // the arguments of the command being read, in buf
	buf   []byte   // the bytes of args: a frame is valid only while onIn runs
	ends  []int    // where each argument ends in buf
	want  int      // arguments the command still expects
	body  bool     // the next frame is a bulk string's body
	out   []byte   // the replies of this turn
	hint  int      // how long the last turn's replies were: the next turn's buffer starts that big
	done  bool     // the connection is closing: nothing more is read
}

// NewSession returns a session on s.
func NewSession(s *store.Store) *Session {
	return (&Session{store: s}).initBoxes()
}

// onIn takes one frame: a header or inline line, or a bulk string's body
// with its CRLF.
func (s *Session) onIn(frame []byte, err error) {
	switch {
	case s.done:
	case errors.Is(err, framing.ErrTooLong):
		s.fail("Protocol error: too big inline request")
	case err != nil:
		s.fail("Protocol error: " + err.Error())
	case s.body:
		s.bulk(frame)
	case s.want > 0:
		s.header(frame)
	case len(frame) > 0 && frame[0] == '*':
		n, ok := number(frame[1:])
		if !ok || n > maxArity {
			s.fail("Protocol error: invalid multibulk length")
			return
		}
		s.want = int(n) // "*0" and "*-1" are nothing
	default:
		s.inline(frame)
	}
}

// header reads the "$N" that comes before each argument.
func (s *Session) header(line []byte) {
	if len(line) == 0 || line[0] != '$' {
		s.fail(fmt.Sprintf("Protocol error: expected '$', got '%c'", firstByte(line)))
		return
	}
	n, ok := number(line[1:])
	if !ok || n < 0 || n > maxBulk {
		s.fail("Protocol error: invalid bulk length")
		return
	}
	s.body = true
	framing.Of(&s.In).Then(framing.Exact(int(n) + 2)) // the body and its CRLF
}

// bulk takes an argument's body.
func (s *Session) bulk(b []byte) {
	s.body = false
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		s.fail("Protocol error: a bulk string does not end with CRLF")
		return
	}
	s.arg(b[:len(b)-2])
	if s.want--; s.want == 0 {
		s.exec()
	}
}

// inline runs a command written as words on a line.
func (s *Session) inline(line []byte) {
	for _, w := range bytes.Fields(line) {
		s.arg(w)
	}
	s.exec()
}

// arg keeps a copy of an argument.
func (s *Session) arg(b []byte) {
	s.buf = append(s.buf, b...)
	s.ends = append(s.ends, len(s.buf))
}

// exec runs the command read, and forgets it.
func (s *Session) exec() {
	s.args = s.args[:0]
	start := 0
	for _, end := range s.ends {
		s.args = append(s.args, s.buf[start:end])
		start = end
	}
	if s.out == nil {
		s.out = make([]byte, 0, s.hint)
	}
	s.out = s.store.Exec(s.out, s.args)
	s.buf, s.ends = s.buf[:0], s.ends[:0]
}

// onTurnEnd sends the replies of the turn, in one message.
func (s *Session) onTurnEnd() {
	if len(s.out) > 0 {
		s.hint = min(max(len(s.out), 64), maxHint)
		s.Out.Send(s.out) // the outbox takes it: the next replies get a buffer of their own
		s.out = nil
	}
}

// fail answers a request that cannot be read, and closes the connection.
func (s *Session) fail(msg string) {
	s.done = true
	s.out = store.AppendError(s.out, msg)
	s.onTurnEnd()
	s.Signal.Send(&axon.ProducerFinished{Caller: s})
	s.Stop()
}

// onControl closes the connection after the replies, and ends.
func (s *Session) onControl(sig axon.Signal) {
	s.onTurnEnd()
	s.Signal.Send(sig)
	s.Stop()
}

// number reads a decimal integer, as a RESP header has it.
func number(b []byte) (int64, bool) { return store.ParseInt(b) }

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return ' '
	}
	return b[0]
}
