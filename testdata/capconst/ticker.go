package capconst

import (
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// subCap is how many ticks a Ticker holds; a new value needs no go
// generate, the generated code names the constant.
const subCap = 16

// Sizes are typed constants: the generated code converts them to int.
type Size uint16

const (
	small Size = 2
	large      = 1 << 30
)

const runeCap = 'A' // an untyped rune constant is an integer too

// Ticker has capacities given by constants of its package and of an
// imported one.
type Ticker struct {
	axon.Component
	Tick   axon.Inbox[time.Time] `inbox:"tick,cap=subCap"`             // the clock
	Small  axon.Inbox[int]       `inbox:"small,cap=small,last"`        // typed
	Large  axon.Outbox[int]      `outbox:"large,cap=large"`            // the largest
	Runes  axon.Outbox[rune]     `outbox:"runes,cap=runeCap"`          // a rune
	Minute axon.Outbox[int]      `outbox:"minute,cap=time.Nanosecond"` // imported, typed
}

func (t *Ticker) OnTick(time.Time) {}
func (t *Ticker) OnSmall(int)      {}
