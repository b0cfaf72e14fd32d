package options

import "github.com/kamgen/kamgen/runtime/axon"

// Opts uses every tag option. The dispatch serves the inboxes in
// declaration order, except that the last ones (",last" and the control
// inbox) come after all the others, and nohandler ones are not served.
type Opts struct {
	axon.Component
	Data    axon.Inbox[int]         `inbox:"data,cap=4"`
	Late    axon.Inbox[int]         `inbox:"late,last"`
	Quiet   axon.Inbox[int]         `inbox:"quiet,nohandler"`
	Both    axon.Inbox[int]         `inbox:" both , cap=2 , last , nohandler "`
	Control axon.Inbox[axon.Signal] `inbox:"control"` // served last without saying so
	Urgent  axon.Inbox[int]         `inbox:"urgent"`  // after control, served before it
	Dashed  axon.Inbox[string]      `inbox:"my-box_2,last,cap=16"`

	Out    axon.Outbox[int]    `outbox:"outbox,cap=1024"`
	Max    axon.Outbox[int]    `outbox:"max,cap=1073741824"`
	Tagged axon.Outbox[int]    `outbox:"tagged" json:"tagged,omitempty"`
	Quoted axon.Outbox[string] "outbox:\"quoted\" note:\"`x`\""
}

func (o *Opts) OnData(int)               {}
func (o *Opts) OnLate(int)               {}
func (o *Opts) OnQuiet(int)              {} // not served, but not an error either
func (o *Opts) OnControl(axon.Signal)    {}
func (o *Opts) OnUrgent(int)             {}
func (o *Opts) OnDashed(string)          {}
func (o *Opts) OnBoth(n int) (err error) { return nil }
