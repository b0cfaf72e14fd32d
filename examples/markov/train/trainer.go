package main

import (
	"bytes"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// DefaultWait is how long a Trainer waits, after the end of the file, for
// the server to answer the last lines.
const DefaultWait = 10 * time.Second

// Trainer stands between the file and the connection, and between the
// connection and the console: it passes the file's lines to the server and
// the server's answers to the console, and closes the connection only once
// the server has answered every line (the chat server answers each line
// once), or DefaultWait after the end of the file.
//
// Why: a TCPClient told that its input has ended (a producerFinished on
// its "control") closes the connection as soon as it has written what it
// was given, and drops what the server sends after that. In the seed's
// Pipeline(ReadFileAdaptor, TCPClient, ConsoleEchoer) the end of the file
// would reach the client at once, and the answers to the file's lines,
// which come later, would be lost.
//
// A last line with no newline gets one, so that the server answers it.
// When the connection ends, Trainer stops the reader if it is still
// reading, and the console once its answers are written; a connection
// that failed (refused, reset) fails the Trainer with the reason.
type Trainer struct {
	axon.Component
	In            axon.Inbox[[]byte]       `inbox:"inbox"`          // the file, a line per message
	Control       axon.Inbox[axon.Signal]  `inbox:"control"`        // the reader has finished: the end of the file, or a shutdown
	Answers       axon.Inbox[[]byte]       `inbox:"answers"`        // what the server sends
	Ended         axon.Inbox[axon.Signal]  `inbox:"ended,last"`     // the connection has ended
	Out           axon.Outbox[[]byte]      `outbox:"outbox"`        // the lines, to the server
	Signal        axon.Outbox[axon.Signal] `outbox:"signal"`        // closes the connection
	Console       axon.Outbox[[]byte]      `outbox:"console"`       // the answers, to print
	ConsoleSignal axon.Outbox[axon.Signal] `outbox:"consolesignal"` // stops the console once the connection has ended
	ReaderControl axon.Outbox[axon.Signal] `outbox:"readercontrol"` // stops the reader if the connection ends first

	// Wait is how long to wait for the answers after the end of the file
	// (DefaultWait if zero).
	Wait time.Duration

	lines, answered int         // newlines sent and received
	fileEnd         axon.Signal // the reader's last word
	closing         bool        // the connection was asked to close
	ended           bool        // the connection has ended
}

// OnIn passes a line on to the server.
func (t *Trainer) OnIn(line []byte) {
	if t.ended {
		return // nobody to send it to
	}
	if !bytes.HasSuffix(line, []byte("\n")) {
		line = append(line, '\n')
	}
	t.lines++
	t.Out.Send(line)
}

// OnAnswers passes an answer on to the console.
func (t *Trainer) OnAnswers(b []byte) {
	t.answered += bytes.Count(b, []byte("\n"))
	t.Console.Send(b)
	t.closeWhenAnswered()
}

// OnControl notes the end of the file: the connection is closed once every
// line has been answered. A shutdown closes it at once.
func (t *Trainer) OnControl(sig axon.Signal) {
	if t.fileEnd != nil {
		return
	}
	t.fileEnd = sig
	switch {
	case sig.StopNow():
		t.close()
	case !t.ended:
		wait := t.Wait
		if wait <= 0 {
			wait = DefaultWait
		}
		t.WakeAfter(wait)
		t.closeWhenAnswered()
	}
	t.stopWhenDone()
}

// OnWake closes the connection: the server has not answered every line in
// time.
func (t *Trainer) OnWake() {
	if !t.closing && !t.ended {
		t.Log().Warn("closing before every line was answered", "lines", t.lines, "answered", t.answered)
		t.close()
	}
}

// OnEnded stops the console, once it has printed every answer, and the
// reader if it is still reading.
func (t *Trainer) OnEnded(sig axon.Signal) {
	t.ended = true
	t.ConsoleSignal.Send(sig)
	if pf, ok := sig.(*axon.ProducerFinished); ok {
		if err, ok := pf.Message.(error); ok && err != nil {
			t.Fail(err)
			return
		}
	}
	if t.fileEnd == nil {
		t.ReaderControl.Send(&axon.ShutdownMicroprocess{})
	}
	t.stopWhenDone()
}

func (t *Trainer) closeWhenAnswered() {
	if t.fileEnd != nil && t.answered >= t.lines {
		t.close()
	}
}

func (t *Trainer) close() {
	if !t.closing && !t.ended {
		t.closing = true
		t.Signal.Send(t.fileEnd)
	}
}

// stopWhenDone stops the Trainer once both the reader and the connection
// have finished: until then, one of them may still send to it.
func (t *Trainer) stopWhenDone() {
	if t.ended && t.fileEnd != nil {
		t.Stop()
	}
}
