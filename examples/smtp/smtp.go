package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/framing"
	"github.com/kamgen/kamgen/runtime/internet"
)

// The limits of a session. RFC 5321 §4.5.3.1 allows command lines of 512
// bytes and text lines of 1000; a little more is accepted, and a longer
// line ends the session.
const (
	maxCommandLine = 1 << 10  // bytes in a command line, CRLF included
	maxDataLine    = 64 << 10 // bytes in a line of a message
	maxRecipients  = 100      // RCPT TO per message (RFC 5321 §4.5.3.1.8)
)

// Config is what every session of a server shares.
type Config struct {
	Hostname string      // the server's name, in the greeting and in Received:
	MaxSize  int         // the largest message accepted, in bytes
	TLS      *tls.Config // for STARTTLS; nil: STARTTLS is not offered
	// Save writes a message; it runs off the workers (axon.Go), and the
	// session reads nothing more until it has returned. It returns the
	// error to report to the client (451).
	Save func(msg []byte) error
}

// SMTP is one session of an SMTP receiver (RFC 5321, with SIZE, 8BITMIME
// and STARTTLS): it takes mail for any recipient and hands each message to
// Config.Save.
//
// A message is collected in memory, up to Config.MaxSize bytes, and written
// off the workers once it is whole: the simplest bounded way (a session
// costs at most MaxSize plus one line), and a message is acknowledged
// only once it is on disk. Streaming the body to the file would bound a
// session by its line instead, at the cost of a file write per line.
type SMTP struct {
	axon.Component
	// Served first: in a turn that has both, the end of the handshake is
	// seen before the first line read over TLS.
	Ready   axon.Inbox[axon.None]             `inbox:"sslready"`                   // the STARTTLS handshake is done
	In      axon.Inbox[[]byte]                `inbox:"inbox,lines=maxCommandLine"` // the client's lines
	Control axon.Inbox[axon.Signal]           `inbox:"control"`                    // the connection ended
	Out     axon.Outbox[[]byte]               `outbox:"outbox"`                    // replies
	Signal  axon.Outbox[axon.Signal]          `outbox:"signal"`                    // closes the connection
	Upgrade axon.Outbox[*internet.TLSUpgrade] `outbox:"makessl"`                   // switches the connection to TLS
	Peer    string                            `kam:"peer"`                         // the client's address, for Received:

	cfg      *Config
	secure   bool     // the connection speaks TLS
	upgrade  bool     // STARTTLS was asked for: nothing more is read in plain text
	closing  bool     // the session is over: nothing more is read
	helo     string   // the client's name, once it said HELO or EHLO
	from     *string  // the reverse path, once MAIL FROM came
	rcpts    []string // the forward paths
	data     bool     // inside DATA
	body     []byte   // the message, dot-unstuffed, with CRLF line ends
	received int      // the length of the Received: line that starts body
	tooLarge bool     // the message went over MaxSize: it is read and refused
}

// newSMTP returns a session of a server configured by cfg.
func newSMTP(cfg *Config, peer string) *SMTP {
	s := NewSMTP()
	s.cfg, s.Peer = cfg, peer
	return s
}

// onStart greets the client.
func (s *SMTP) onStart() { s.reply("220 %s ESMTP kamgen", s.cfg.Hostname) }

// onReady starts a new session over TLS: RFC 3207 §4.2 has the client
// forget everything, and say EHLO again.
func (s *SMTP) onReady(axon.None) {
	s.secure, s.upgrade = true, false
	s.helo = ""
	s.resetMail()
	framing.Of(&s.In).Reset() // a line begun in plain text is not read on
}

// onIn acts on one line: a command, or a line of a message.
func (s *SMTP) onIn(line []byte, err error) {
	switch {
	case s.closing:
	case s.upgrade:
		// It came in plain text after STARTTLS: it is dropped (RFC 3207 §5),
		// as is any line until the handshake is done.
		s.Log().Debug("smtp: dropped plain text sent after STARTTLS", "peer", s.Peer, "bytes", len(line))
	case errors.Is(err, framing.ErrTooLong):
		s.close("500 5.5.0 Line too long")
	case err != nil:
		s.close("500 5.5.0 " + err.Error())
	case s.data:
		s.dataLine(line)
	default:
		s.command(string(line))
	}
}

// command acts on one command line.
func (s *SMTP) command(line string) {
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "HELO", "EHLO":
		if arg == "" {
			s.reply("501 5.5.4 Say who you are: %s <domain>", verb)
			return
		}
		s.helo = arg
		s.resetMail()
		if strings.EqualFold(verb, "HELO") {
			s.reply("250 %s", s.cfg.Hostname)
			return
		}
		ext := []string{s.cfg.Hostname, "8BITMIME", "ENHANCEDSTATUSCODES", "SIZE " + strconv.Itoa(s.cfg.MaxSize)}
		if s.cfg.TLS != nil && !s.secure {
			ext = append(ext, "STARTTLS")
		}
		for i, e := range ext {
			sep := "-"
			if i == len(ext)-1 {
				sep = " "
			}
			s.reply("250%s%s", sep, e)
		}
	case "STARTTLS":
		switch {
		case s.cfg.TLS == nil || s.secure:
			s.reply("502 5.5.1 STARTTLS is not offered here")
		case arg != "":
			s.reply("501 5.5.4 STARTTLS takes no argument")
		default:
			s.upgrade = true
			s.Upgrade.Send(&internet.TLSUpgrade{Config: s.cfg.TLS, Server: true, Plain: []byte("220 2.0.0 Ready to start TLS\r\n")})
		}
	case "MAIL":
		path, params, ok := parsePath(arg, "FROM:")
		switch {
		case s.helo == "":
			s.reply("503 5.5.1 Say EHLO first")
		case s.from != nil:
			s.reply("503 5.5.1 MAIL FROM was already given")
		case !ok:
			s.reply("501 5.5.4 Syntax: MAIL FROM:<address>")
		default:
			if size, ok := sizeParam(params); ok && size > s.cfg.MaxSize {
				s.reply("552 5.3.4 The message is larger than %d bytes", s.cfg.MaxSize)
				return
			}
			s.from = &path
			s.reply("250 2.1.0 OK")
		}
	case "RCPT":
		path, _, ok := parsePath(arg, "TO:")
		switch {
		case s.from == nil:
			s.reply("503 5.5.1 Say MAIL FROM first")
		case !ok || path == "":
			s.reply("501 5.5.4 Syntax: RCPT TO:<address>")
		case len(s.rcpts) >= maxRecipients:
			s.reply("452 4.5.3 Too many recipients")
		default:
			s.rcpts = append(s.rcpts, path)
			s.reply("250 2.1.5 OK")
		}
	case "DATA":
		if len(s.rcpts) == 0 {
			s.reply("503 5.5.1 Say RCPT TO first")
			return
		}
		s.data = true
		framing.Of(&s.In).Set(framing.Lines(maxDataLine))
		s.body = fmt.Appendf(nil, "Received: from %s (%s) by %s with %s; %s\r\n",
			s.helo, s.Peer, s.cfg.Hostname, s.with(), time.Now().Format(time.RFC1123Z))
		s.received = len(s.body)
		s.reply("354 End data with <CR><LF>.<CR><LF>")
	case "RSET":
		s.resetMail()
		s.reply("250 2.0.0 OK")
	case "NOOP":
		s.reply("250 2.0.0 OK")
	case "QUIT":
		s.close("221 2.0.0 Bye")
	case "VRFY", "EXPN", "HELP", "TURN", "SEND", "SOML", "SAML":
		s.reply("502 5.5.1 %s is not implemented", strings.ToUpper(verb))
	default:
		s.reply("500 5.5.2 Unknown command")
	}
}

// dataLine takes one line of a message: "." ends it, a leading "." is
// removed (RFC 5321 §4.5.2). Every line is kept with a CRLF end, however it
// ended on the wire (a bare LF too, which also ends a "." line).
func (s *SMTP) dataLine(line []byte) {
	if string(line) == "." {
		s.data = false
		framing.Of(&s.In).Set(framing.Lines(maxCommandLine))
		if s.tooLarge {
			s.resetMail()
			s.reply("552 5.3.4 The message is larger than %d bytes", s.cfg.MaxSize)
			return
		}
		s.save()
		return
	}
	if s.tooLarge {
		return // read to the end, and refused
	}
	line = bytes.TrimPrefix(line, []byte("."))
	if len(s.body)-s.received+len(line)+2 > s.cfg.MaxSize {
		s.tooLarge, s.body = true, nil
		return
	}
	s.body = append(append(s.body, line...), '\r', '\n')
}

// save writes the message off the workers, and answers the client once it
// is written. Until then the session takes no line: what the client sends
// meanwhile waits, and TCP holds it back.
func (s *SMTP) save() {
	msg, save := s.body, s.cfg.Save
	axon.Go(s, func(context.Context) (struct{}, error) { return struct{}{}, save(msg) }, s.saved)
}

// saved answers DATA.
func (s *SMTP) saved(_ struct{}, err error) {
	s.resetMail()
	if err != nil {
		s.reply("451 4.3.0 The message could not be stored: try again later")
		return
	}
	s.reply("250 2.0.0 OK")
}

func (s *SMTP) reply(format string, args ...any) {
	s.Out.Send(fmt.Appendf(nil, format+"\r\n", args...))
}

// close sends a last reply and closes the connection after it.
func (s *SMTP) close(last string) {
	s.closing = true
	s.reply("%s", last)
	s.Signal.Send(&axon.ShutdownMicroprocess{})
}

func (s *SMTP) resetMail() {
	s.from, s.rcpts, s.body, s.data, s.tooLarge = nil, nil, nil, false, false
}

// with names the protocol for Received: (RFC 3848).
func (s *SMTP) with() string {
	if s.secure {
		return "ESMTPS"
	}
	return "ESMTP"
}

// parsePath parses "FROM:<path> params" (prefix "FROM:") into the path and
// the parameters.
func parsePath(arg, prefix string) (path, params string, ok bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", "", false
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", "", false
	}
	return rest[1:end], strings.TrimSpace(rest[end+1:]), true
}

// sizeParam returns the SIZE= parameter of MAIL FROM (RFC 1870).
func sizeParam(params string) (int, bool) {
	for _, p := range strings.Fields(params) {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "SIZE") {
			n, err := strconv.Atoi(v)
			return n, err == nil
		}
	}
	return 0, false
}
