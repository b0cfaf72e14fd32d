package util

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"

	"github.com/kamgen/kamgen/runtime/axon"
)

// ConsoleReader reads lines typed at the console (or from any io.Reader) and
// sends each one out of its "outbox" as []byte, ending with EOL. It is a
// source: the start of a pipeline that talks to a person.
//
// Example: echo what is typed, until the end of the input (Ctrl-D):
//
//	reader := util.NewConsoleReader()
//	echo := util.NewConsoleEchoer[[]byte]()
//	echo.Tag = "you said: "
//	axon.Link(&reader.Out, &echo.In)
//	axon.Link(&reader.Signal, &echo.Control)
//	err := axon.Run(ctx, reader, echo)
//
// In a pipeline in front of a TCPClient it makes a console client for a
// line-based server.
//
// # How does it work?
//
// Before each line it writes Prompt to PromptWriter, then reads up to and
// including the next "\n". It strips the line ending ("\n" or "\r\n"), appends
// EOL, and sends the line as []byte: unlike Kamaelia's on Python 3, which sent
// str, it can feed a TCPClient directly. An empty line is sent as EOL alone; a
// last line with no line ending is sent with EOL appended.
//
// At the end of the input it sends a ProducerFinished on "signal" and
// finishes. If the input fails, it sends a ProducerFinished whose Message is
// the error, and fails with that error.
//
// A ProducerFinished or a ShutdownMicroprocess (any signal) on "control"
// makes it forward that signal on "signal" and finish, even while a read is
// waiting for the next line. Stop finishes it too, sending nothing.
//
// Reading is done in a helper goroutine, because a read from a terminal
// cannot be interrupted. When the component finishes while that read waits
// for a line, the helper goroutine stays blocked until the read returns (a
// line is typed, or Reader is closed or ends); it then discards that line and
// ends. Closing Reader, when it is yours, ends it at once. The line being
// read when a signal arrives is therefore not sent, where Kamaelia's, which
// looked at control only between lines, sent it.
//
// Configure it through its exported fields after NewConsoleReader and before
// activation.
type ConsoleReader struct {
	axon.Component
	In      axon.Inbox[axon.None]    `inbox:"inbox"`   // not used
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops the reader and is forwarded
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // each line read, ending with EOL
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // ProducerFinished at the end, or the forwarded signal

	// Reader is where lines come from. Nil means os.Stdin.
	Reader io.Reader
	// PromptWriter is where Prompt is written before each line. Nil means
	// os.Stdout. Errors writing the prompt are ignored: a prompt is a
	// courtesy, and reading goes on without it.
	PromptWriter io.Writer
	// Prompt is written before each line is read. Default ">>> "; empty
	// means no prompt.
	Prompt string
	// EOL replaces each line's ending. Default "\n".
	EOL string
}

var _ axon.Stage[axon.None, []byte] = (*ConsoleReader)(nil)

// NewConsoleReader returns a ConsoleReader that reads os.Stdin with
// Kamaelia's defaults: prompt ">>> " on os.Stdout, lines ending with "\n".
func NewConsoleReader() *ConsoleReader {
	r := &ConsoleReader{Prompt: ">>> ", EOL: "\n"}
	r.initBoxes()
	return r
}

// Main reads and sends lines until the input ends or a signal arrives.
func (r *ConsoleReader) Main(ctx context.Context) error {
	src := r.Reader
	if src == nil {
		src = os.Stdin
	}
	promptTo := r.PromptWriter
	if promptTo == nil {
		promptTo = os.Stdout
	}
	prompt, eol := r.Prompt, r.EOL
	in := bufio.NewReader(src)

	rd := startReader(ctx, &r.Component, &r.Control)
	// Never wait for the helper: its read may block until a line is typed.
	defer rd.stop(false)

	sig, err := rd.pump(ctx, &r.Out, 0, func() chunk {
		if prompt != "" {
			_, _ = io.WriteString(promptTo, prompt)
		}
		line, err := in.ReadBytes('\n')
		if len(line) == 0 {
			return chunk{err: err}
		}
		if text, ok := bytes.CutSuffix(line, []byte("\n")); ok {
			line, _ = bytes.CutSuffix(text, []byte("\r"))
		}
		// line is ReadBytes' own copy: appending to it is safe.
		return chunk{data: append(line, eol...), err: err}
	})
	return finish(ctx, &r.Signal, r, sig, err)
}
