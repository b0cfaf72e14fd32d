package importnames

import (
	htmpl "html/template"
	mrand "math/rand"
	"math/rand/v2"
	"text/template"

	ax "github.com/kamgen/kamgen/runtime/axon"
)

// Names uses packages with clashing names, which its file imports under
// other names (and the runtime as ax): the generated file must import each
// under a name of its own.
type Names struct {
	ax.Component
	Old  ax.Inbox[*mrand.Rand]         `inbox:"old"`
	New  ax.Inbox[*rand.Rand]          `inbox:"new"`
	Text ax.Outbox[*template.Template] `outbox:"text"`
	HTML ax.Outbox[*htmpl.Template]    `outbox:"html"`
}

func (n *Names) OnOld(*mrand.Rand) error { return nil }
func (n *Names) OnNew(*rand.Rand) error  { return nil }
