package err_hooks

import "github.com/kamgen/kamgen/runtime/axon"

// Each hook of Bad is wrong in one way.
type Bad struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (b *Bad) onIn(int) {}

func (b *Bad) OnStart(n int)                 {}             // takes an argument
func (b *Bad) onStop() error                 { return nil } // returns something
func (b *Bad) OnWake()                       {}
func (b *Bad) onWake()                       {} // two Wake hooks
func (b Bad) OnTurnEnd()                     {} // a value receiver
func (b *Bad) OnChildDone(c *axon.Component) {} // misses the error
