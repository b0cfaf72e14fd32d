package lines

import (
	"errors"

	"github.com/kamgen/kamgen/runtime/axon"
)

// maxLine is the longest command line, after RFC 5321's 512 with room.
const maxLine = 1000

// SMTP is given its client's bytes line by line: each handler shape of a
// line-framed inbox.
type SMTP struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox,lines=maxLine"` // command lines
	Data    axon.Inbox[[]byte]       `inbox:"data,lines=4096"`     // message lines, bad ones included
	Strict  axon.Inbox[[]byte]       `inbox:"strict,lines=80"`     // lines whose handler may fail
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
}

// onIn answers a command; a line too long fails the component.
func (s *SMTP) onIn(line []byte) { s.Out.Send(line) }

// OnData is given the bad frames too, and answers them.
func (s *SMTP) OnData(line []byte, err error) {
	if err != nil {
		s.Out.Send([]byte("500 Line too long\r\n"))
		return
	}
	s.Out.Send(line)
}

// OnStrict returns an error to fail the component.
func (s *SMTP) OnStrict(line []byte) error {
	if len(line) == 0 {
		return errors.New("empty line")
	}
	return nil
}

func (s *SMTP) OnControl(axon.Signal) { s.Stop() }
