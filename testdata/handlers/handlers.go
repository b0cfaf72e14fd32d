package handlers

import (
	"errors"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Checked's handlers return errors: the dispatch fails the component with
// a handler's error, for a served-last inbox too.
type Checked struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
	Names   axon.Inbox[string]       `inbox:"names"`
	Plain   axon.Inbox[int]          `inbox:"plain"`
}

// OnIn has no parameter name.
func (c *Checked) OnIn([]byte) error { return errors.New("no") }

// OnControl names its result.
func (c *Checked) OnControl(sig axon.Signal) (err error) { return nil }

// OnNames has an unnamed receiver.
func (*Checked) OnNames(string) error { return nil }

// OnPlain returns nothing.
func (c *Checked) OnPlain(n int) {}

// On, Once and Onward do not name an inbox field: they are not handlers.
func (c *Checked) On(int)     {}
func (c *Checked) Once(int)   {}
func (c *Checked) Onward(int) {}

// OnStart, OnStop, OnWake and OnChildDone are hooks, not handlers.
func (c *Checked) OnStart()                                     {}
func (c *Checked) OnStop()                                      {}
func (c *Checked) OnWake()                                      {}
func (c *Checked) OnChildDone(child *axon.Component, err error) {}

// OnExtra takes two parameters: not a handler either.
func (c *Checked) OnExtra(a, b int) {}
