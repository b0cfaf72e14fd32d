package importshadow

import (
	stdtime "time"

	ax "github.com/kamgen/kamgen/runtime/axon"
)

// time and axon are package-level names of this package, so clock.go
// imports the packages time and axon under other names. The generated file
// must do the same: importing them as time and axon does not compile
// ("time already declared through import of package time").
func time() stdtime.Time { return stdtime.Now() }

var axon = "this package's own axon"

// Clock sends the time.
type Clock struct {
	ax.Component
	Tick ax.Outbox[stdtime.Time]    `outbox:"tick"`
	Set  ax.Inbox[stdtime.Duration] `inbox:"set"`
}

func (c *Clock) OnSet(stdtime.Duration) error { return c.Tick.Send(time()) }
