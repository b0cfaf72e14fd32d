package err_two_handlers

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	In   axon.Inbox[string] `inbox:"inbox"`
	Bad  axon.Inbox[int]    `inbox:"bad"`
	Miss axon.Inbox[int]    `inbox:"miss"`
}

func (c *C) OnIn(string) {}
func (c *C) onIn(string) {}

// An unexported handler is checked as an exported one is.
func (c *C) onBad(string) {}
func (c C) onMiss(int)    {}
