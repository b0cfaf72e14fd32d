package err_generated_names

import (
	"context"

	"github.com/kamgen/kamgen/runtime/axon"
)

// The user's own declarations of names kamgen generates.

// NewServer is the user's: allowed, but it must set up the boxes.
func NewServer() *Server { return &Server{} }

func (s *Server) Dispatch(t *axon.Turn) {}

func (s *Server) initBoxes() *Server { return s }

func (s Server) BoxTable() []axon.BoxInfo { return nil }

func (s *Server) StdInbox() *axon.Inbox[[]byte] { return &s.In }

func (s *Server) SetConn(string, int, string, int) {}

var kamHooksServer = 1

// Server has no connection fields: kamgen generates no SetConn for it, and
// no factories, so these are the user's own.
var ServerForServerCore = 1

// NewWrong returns a value, not a pointer.
func NewWrong() Wrong { return Wrong{} }

// NewOther returns another component.
func NewOther() *Server { return new(Server).initBoxes() }

var NewNotFunc = 1

// Worker is threaded: kamgen generates no Dispatch for it, so its own is
// not a collision (nor are names it does not generate for Worker).
type Worker struct {
	axon.Component
	In axon.Inbox[int] `inbox:"in"`
}

func (w *Worker) Main(context.Context) error       { return nil }
func (w *Worker) Dispatch(t *axon.Turn)            {}
func WorkerForServerCore()                         {}
func (w *Worker) StdInbox() *axon.Inbox[int]       { return &w.In }
func (w *Worker) SetConn(string, int, string, int) {}
