package err_generated_names

import "github.com/kamgen/kamgen/runtime/axon"

// Server serves connections: kamgen generates NewServer, its methods and
// kamHooksServer, the variable that keeps its hooks.
type Server struct {
	axon.Component
	In      axon.Inbox[[]byte]       `inbox:"inbox"`
	Control axon.Inbox[axon.Signal]  `inbox:"control"`
	Out     axon.Outbox[[]byte]      `outbox:"outbox"`
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`
}

func (s *Server) OnIn([]byte)           {}
func (s *Server) OnControl(axon.Signal) {}

type Wrong struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}

type Other struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}

type NotFunc struct {
	axon.Component
	Out axon.Outbox[int] `outbox:"out"`
}
