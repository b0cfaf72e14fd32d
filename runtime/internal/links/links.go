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

// Recall takes back the oldest message out delivered that still waits,
// unhandled, at the end of its chain (the inbox it is linked to, or out
// itself while it is not linked), and reports whether there was one; once
// that is empty it takes what out holds for lack of room. Messages the
// inbox's owner has begun to handle in its current turn are out of reach,
// as is what another outbox delivered to the same inbox and its owner has
// not handled yet: Recall takes any message waiting there, whoever sent
// it, so it is for an outbox that is the only source of its inbox. Only
// out's owner may call it, from its own turn.
//
// It is how a connection adapter takes back the plain text that came after
// a client asked for TLS (STARTTLS), so that its handler never sees it
// (RFC 3207 §5).
func Recall[T any](out *axon.Outbox[T]) (m T, ok bool) {
	v, ok := loop.Recall(out)
	if !ok {
		return m, false
	}
	return v.(T), true
}

// LimitEnd bounds in bytes the inbox that out is linked to, at the end of
// its chain (axon.LimitBytes), counting what it holds in pool too if pool
// is not nil: a connection's adapter bounds its handler's inbox so. It does
// nothing if out is not linked to an inbox.
func LimitEnd(out *axon.Outbox[[]byte], n int, pool *loop.Pool) { loop.LimitEnd(out, n, pool) }

// LimitIn bounds in in bytes as LimitEnd does.
func LimitIn(in *axon.Inbox[[]byte], n int, pool *loop.Pool) { loop.LimitIn(in, n, pool) }

// EndLen returns how many messages wait at the end of out's chain.
func EndLen(out *axon.Outbox[[]byte]) int { return loop.EndLen(out) }
