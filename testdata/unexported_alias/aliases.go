package unexported_alias

import (
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/testdata/unexported_alias/other"
)

// C's message types use unexported types of another package, spelled
// through that package's exported aliases. go/types keeps the aliases (the
// importer of export data does so even with GODEBUG gotypesalias=0), so the
// generated code spells them the same way and compiles: kamgen's "message
// type uses an unexported type" error cannot be reached this way. The
// error itself is covered by internal/model's TestUnnameable and, for a
// type that does not resolve, by testdata/err_unresolved_msg.
type C struct {
	axon.Component
	Hidden axon.Inbox[other.Hidden]               `inbox:"hidden"`
	Anon   axon.Inbox[[]other.Anon]               `inbox:"anon"`
	Iface  axon.Outbox[other.Iface]               `outbox:"iface"`
	Map    axon.Outbox[map[string][]other.Hidden] `outbox:"map"`
	Fine   axon.Outbox[int]                       `outbox:"fine"`
}

func (c *C) OnHidden(other.Hidden) {}
func (c *C) OnAnon([]other.Anon)   {}
