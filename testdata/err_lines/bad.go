package err_lines

import "github.com/kamgen/kamgen/runtime/axon"

const zero = 0

type C struct {
	axon.Component
	Text   axon.Inbox[string]  `inbox:"text,lines=80"`
	Out    axon.Outbox[[]byte] `outbox:"out,lines=80"`
	Quiet  axon.Inbox[[]byte]  `inbox:"quiet,lines=80,nohandler"`
	Zero   axon.Inbox[[]byte]  `inbox:"zero,lines=0"`
	Minus  axon.Inbox[[]byte]  `inbox:"minus,lines=-1"`
	Naught axon.Inbox[[]byte]  `inbox:"naught,lines=zero"`
	Bare   axon.Inbox[[]byte]  `inbox:"bare,lines"`
	Late   axon.Inbox[[]byte]  `inbox:"late,lines=80,last"`
	Sig    axon.Inbox[[]byte]  `inbox:"sig,lines=80"`
	Both   axon.Inbox[[]byte]  `inbox:"both,lines=80"`
}

func (c *C) OnSig(line string)                   {}
func (c *C) OnBoth(line []byte, err error) error { return nil }
