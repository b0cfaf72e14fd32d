package main

import "github.com/kamgen/kamgen/runtime/axon"

// Hangup ends the session when the connection ends: it stops the console
// reader, which would otherwise wait for a line that no one will read, and
// when the connection failed (refused, or a certificate that does not
// verify) it fails with the reason, so that the program says why.
type Hangup struct {
	axon.Component
	Control axon.Inbox[axon.Signal]  `inbox:"control"`        // how the connection ended, passed on by the echoer
	Reader  axon.Outbox[axon.Signal] `outbox:"readercontrol"` // stops the console reader
}

// OnControl stops the reader, and ends.
func (h *Hangup) OnControl(sig axon.Signal) {
	h.Reader.Send(sig)
	if pf, ok := sig.(*axon.ProducerFinished); ok {
		if err, ok := pf.Message.(error); ok && err != nil {
			h.Fail(err)
			return
		}
	}
	h.Stop()
}
