package err_generated_field_names

import "github.com/kamgen/kamgen/runtime/axon"

// Router has fields named like methods kamgen generates for it: the
// generated methods would not compile ("field and method with the same
// name"). kamgen must report them, as it does methods of those names.
type Router struct {
	axon.Component
	In        axon.Inbox[string]  `inbox:"in"`
	Dispatch  axon.Outbox[string] `outbox:"dispatch"`
	BoxTable  []string
	initBoxes bool
}

func (r *Router) OnIn(string) {}

// Stage has the standard boxes and a field named like an accessor.
type Stage struct {
	axon.Component
	In       axon.Inbox[int]          `inbox:"inbox"`
	Control  axon.Inbox[axon.Signal]  `inbox:"control"`
	Out      axon.Outbox[int]         `outbox:"outbox"`
	Signal   axon.Outbox[axon.Signal] `outbox:"signal"`
	StdInbox int
}

func (s *Stage) OnIn(int)              {}
func (s *Stage) OnControl(axon.Signal) {}
