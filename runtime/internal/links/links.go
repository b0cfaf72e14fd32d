// Package links links the boxes of components that finish together, made
// by the thousand (a connection's adapter and its handler), with no
// Linkage to keep: the runtime's network components use it. A user links
// with axon.Link.
package links

import (
	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/internal/loop"
)

// Join links out to in like axon.Link, but returns no Linkage: the link
// lasts as long as its boxes, and costs nothing more than the boxes' own
// bookkeeping.
func Join[T any](out *axon.Outbox[T], in *axon.Inbox[T]) error { return loop.Join(out, in) }

// Unjoin removes the link that starts at out, however it was made. It does
// nothing if out is not linked.
func Unjoin[T any](out *axon.Outbox[T]) { loop.Unjoin(out) }
