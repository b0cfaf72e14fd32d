package util

import (
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/kamgen/kamgen/runtime/axon"
)

// ConsoleEchoer writes every message it receives to the console (or to any
// io.Writer), optionally after a tag, and optionally passes it on. It is the
// usual end of a pipeline under test, and a tap in the middle of one.
//
// Example: print what a server sends back, each reply after "> ":
//
//	echo := util.NewConsoleEchoer[[]byte]()
//	echo.Tag = "> "
//	axon.Link(&client.Out, &echo.In)
//	axon.Link(&client.Signal, &echo.Control)
//
// # How does it work?
//
// Each message on "inbox" is written to Writer in one Write call: Tag, then
// the message. A []byte is written as it is (Kamaelia on Python 3 printed
// bytes as b'...', spec L8), a string as it is, and anything else as fmt's
// %v prints it. A type whose underlying type is []byte or string, and which
// is not a fmt.Stringer or an error, is written as its bytes too. With
// UseRepr every message is written the way Go spells it instead, like
// Python's repr: strings and bytes quoted (%q), anything else with %#v. The
// echoer adds no line ending: a message carries its own. If Writer has a
// Flush() error method (a bufio.Writer), it is flushed after each message,
// as Kamaelia flushed stdout.
//
// With Forwarder set, each message is also sent out of "outbox" after it
// was written. Link "outbox" then: like every axon outbox, an unlinked one
// holds DefaultCapacity messages, after which the echoer waits for room.
//
// It handles every message already in "inbox" first, then stops on any
// signal on "control", forwarding that signal on "signal". A write (or
// flush) error stops it: it sends a ProducerFinished whose Message is the
// error on "signal", and fails with that error.
//
// Configure it through its exported fields after NewConsoleEchoer and before
// activation.
type ConsoleEchoer[T any] struct {
	axon.Component
	In      axon.Inbox[T]            `inbox:"inbox"`   // messages to write
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops it, once the inbox is drained
	Out     axon.Outbox[T]           `outbox:"outbox"` // with Forwarder, each message written
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // the signal that stopped it, or a write error

	// Writer is where messages are written. Nil means os.Stdout.
	Writer io.Writer
	// Tag is written before each message. Default "".
	Tag string
	// Forwarder makes the echoer send each message on "outbox" after
	// writing it. Default false.
	Forwarder bool
	// UseRepr writes messages as Go would spell them (%q for strings and
	// bytes, %#v for the rest) instead of as they are. Default false.
	UseRepr bool

	buf []byte // reused for each message; handlers never run at once
}

var _ axon.Stage[[]byte, []byte] = (*ConsoleEchoer[[]byte])(nil)

// NewConsoleEchoer returns a ConsoleEchoer with Kamaelia's defaults: it
// writes to os.Stdout, with no tag, and is not a forwarder.
func NewConsoleEchoer[T any]() *ConsoleEchoer[T] {
	e := &ConsoleEchoer[T]{}
	e.initBoxes()
	return e
}

// onIn writes m, and forwards it when the echoer is a forwarder.
func (e *ConsoleEchoer[T]) onIn(m T) {
	w := e.Writer
	if w == nil {
		w = os.Stdout
	}
	e.buf = append(e.buf[:0], e.Tag...)
	e.buf = e.format(e.buf, m)
	if _, err := w.Write(e.buf); err != nil {
		e.fail(fmt.Errorf("util: ConsoleEchoer: write: %w", err))
		return
	}
	if f, ok := w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			e.fail(fmt.Errorf("util: ConsoleEchoer: flush: %w", err))
			return
		}
	}
	if e.Forwarder {
		e.Out.Send(m)
	}
}

// fail stops the echoer after a write error, telling downstream with a
// ProducerFinished that carries the error.
func (e *ConsoleEchoer[T]) fail(err error) {
	e.Signal.Send(&axon.ProducerFinished{Caller: e, Message: err})
	e.Fail(err)
}

// format appends m to buf as the echoer writes it.
func (e *ConsoleEchoer[T]) format(buf []byte, m T) []byte {
	v := any(m)
	if e.UseRepr {
		switch v.(type) {
		case []byte, string:
			return fmt.Appendf(buf, "%q", v)
		}
		return fmt.Appendf(buf, "%#v", v)
	}
	switch x := v.(type) {
	case []byte:
		return append(buf, x...)
	case string:
		return append(buf, x...)
	case fmt.Stringer, error:
		return fmt.Appendf(buf, "%v", v)
	}
	// A named type over []byte or string (type Line []byte) is text too.
	if rv := reflect.ValueOf(v); rv.IsValid() {
		switch {
		case rv.Kind() == reflect.String:
			return append(buf, rv.String()...)
		case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8:
			return append(buf, rv.Bytes()...)
		}
	}
	return fmt.Appendf(buf, "%v", v)
}
