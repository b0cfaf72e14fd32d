package unexported_handlers

import "github.com/kamgen/kamgen/runtime/axon"

// Room's handlers are unexported: the generated dispatch is in the same
// package, so onIn serves as OnIn would, and they stay out of Room's API.
type Room struct {
	axon.Component
	In      axon.Inbox[string]      `inbox:"inbox"`
	Control axon.Inbox[axon.Signal] `inbox:"control"`
	Joins   axon.Inbox[int]         `inbox:"joins"`
	Out     axon.Outbox[string]     `outbox:"outbox"`
}

func (r *Room) onIn(line string) error { return r.Out.Send(line) }
func (r *Room) onControl(axon.Signal)  { r.Stop() }
func (r *Room) OnJoins(n int)          {} // exported handlers still work beside them
func (r *Room) onStart()               {} // a hook may be unexported too
func (r *Room) onSomethingElse(x int)  {} // a helper, not a handler
