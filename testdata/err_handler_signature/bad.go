package err_handler_signature

import "github.com/kamgen/kamgen/runtime/axon"

type Celsius float64

type C struct {
	axon.Component
	Text    axon.Inbox[string]      `inbox:"text"`
	Pair    axon.Inbox[int]         `inbox:"pair"`
	Result  axon.Inbox[int]         `inbox:"result"`
	Two     axon.Inbox[int]         `inbox:"two"`
	None    axon.Inbox[int]         `inbox:"none"`
	Named   axon.Inbox[float64]     `inbox:"named"`
	Control axon.Inbox[axon.Signal] `inbox:"control"`
}

func (c *C) OnText(b []byte)                          {}
func (c *C) OnPair(a, b int)                          {}
func (c *C) OnResult(n int) int                       { return n }
func (c *C) OnTwo(n int) (int, error)                 { return n, nil }
func (c *C) OnNone()                                  {}
func (c *C) OnNamed(t Celsius)                        {}
func (c *C) OnControl(sig *axon.ShutdownMicroprocess) {}
