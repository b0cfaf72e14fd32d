package axon

import "github.com/kamgen/kamgen/runtime/internal/loop"

func init() {
	loop.Recall = func(out any) (any, bool) { return out.(recaller).recallAny() }
}

// recaller is an outbox of any message type, for loop.Recall.
type recaller interface{ recallAny() (any, bool) }

func (o *Outbox[T]) recallAny() (any, bool) {
	m, ok := o.recall()
	return m, ok
}

// recall takes back the oldest message o delivered that still waits,
// unhandled, at the end of its chain (the inbox it is linked to, or o
// itself while it is not linked), and reports whether there was one; once
// that is empty it takes what o holds for lack of room. Messages the
// inbox's owner has begun to handle in its current turn are out of reach,
// as is what another outbox delivered to the same inbox and its owner has
// not handled yet: Recall takes any message waiting there, whoever sent
// it, so it is for an outbox that is the only source of its inbox.
//
// Only o's owner may call it, from its own turn, through links.Recall. It
// is how a connection adapter takes back the plain text that came after a client asked for TLS
// (STARTTLS), so that its handler never sees it (RFC 3207 §5).
func (o *Outbox[T]) recall() (m T, ok bool) {
	if o.owner == nil {
		return m, false
	}
	f := o.lockEnd()
	if k := int(f.claimed); f.q.len() > k {
		m = f.removeAt(k)
		if f.hasWaitersLocked() {
			f.wakeWaitersLocked()
		}
		f.mu.Unlock()
		return m, true
	}
	f.mu.Unlock()
	if r := o.held(); r != nil && r.len() > 0 {
		return r.pop(), true
	}
	return m, false
}
