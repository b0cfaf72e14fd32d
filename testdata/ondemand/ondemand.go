package ondemand

import "github.com/kamgen/kamgen/runtime/axon"

// Lazy has two boxes it makes only when asked for: they are in its
// BoxTable, after the fields' boxes, with their accessors for fields.
type Lazy struct {
	axon.Component
	In  axon.Inbox[int]  `inbox:"inbox"`
	Out axon.Outbox[int] `outbox:"outbox"`

	extra *extra
}

type extra struct {
	upgrade axon.Inbox[string]
	done    axon.Outbox[axon.None]
}

func (l *Lazy) OnIn(n int) { l.Out.Send(n) }

func (l *Lazy) part() *extra {
	if l.extra == nil {
		l.extra = &extra{}
		l.extra.upgrade.Init(&l.Component, "upgrade", 1)
		l.extra.done.Init(&l.Component, "done", 0)
	}
	return l.extra
}

// Upgrade returns the "upgrade" inbox, made the first time it is asked
// for. Its first sentence is the box's description.
//
//kam:inbox upgrade
func (l *Lazy) Upgrade() *axon.Inbox[string] { return &l.part().upgrade }

// Done returns the "done" outbox.
//
//kam:outbox done	the upgrade is done
func (l *Lazy) Done() *axon.Outbox[axon.None] { return &l.part().done }

// Plain has no directive: not a box.
func (l *Lazy) Plain() *axon.Inbox[string] { return &l.part().upgrade }
