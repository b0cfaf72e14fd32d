package util

import (
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// PublishTo is Kamaelia's PublishTo: a pipeline's end that publishes
// every message it receives to the Backplane registered under its name in
// its runtime. Messages that come before the backplane runs wait for it
// (the pipeline waits too, once DefaultCapacity of them wait); a warning
// is logged when it has not come after a second.
//
// Kamaelia's chat server, every line to everyone, is a ServerCore whose
// handler is
//
//	chassis.Pipeline2(util.NewPublishTo[[]byte]("chat"), util.NewSubscribeTo[[]byte]("chat"))
//
// with a NewBackplane[[]byte]("chat") running next to it.
type PublishTo[T any] struct {
	axon.Component
	In      axon.Inbox[T]            `inbox:"inbox"`    // messages to publish
	Control axon.Inbox[axon.Signal]  `inbox:"control"`  // any signal stops it, once the inbox is drained
	Out     axon.Outbox[axon.None]   `outbox:"outbox"`  // nothing: it is a pipeline's end
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`  // the signal that stopped it
	To      axon.Outbox[T]           `outbox:"publish"` // linked to the backplane once it runs

	name string
}

// NewPublishTo returns a PublishTo to the backplane named name.
func NewPublishTo[T any](name string) *PublishTo[T] {
	return (&PublishTo[T]{name: name}).initBoxes()
}

// onStart finds the backplane, or waits for it.
func (p *PublishTo[T]) onStart() {
	n, err := lookup[T](p.Runtime(), p.name)
	if err != nil {
		p.Fail(err)
		return
	}
	found := make(chan struct{})
	n.when(func(bp any) {
		close(found)
		if err := bp.(*Backplane[T]).Publish(&p.To); err != nil {
			p.Fail(err)
		}
	})
	warnUnlessFound(p.Log(), found, p.Done(), p.name)
}

// onIn publishes m.
func (p *PublishTo[T]) onIn(m T) { p.To.Send(m) }

// SubscribeTo is Kamaelia's SubscribeTo: a pipeline's start that sends on
// "outbox" every message published to the Backplane registered under its
// name in its runtime, from when it finds the backplane (it waits for it)
// until it stops. Its subscription's policy is DefaultPolicy unless
// Policy is set before activation.
type SubscribeTo[T any] struct {
	axon.Component
	In      axon.Inbox[axon.None]    `inbox:"inbox"`     // nothing: it is a pipeline's start
	From    axon.Inbox[T]            `inbox:"backplane"` // the subscription: what the backplane sends
	Control axon.Inbox[axon.Signal]  `inbox:"control"`   // any signal stops it
	Out     axon.Outbox[T]           `outbox:"outbox"`   // every message published
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`   // the signal that stopped it

	// Policy bounds the subscription (see Policy). Default DefaultPolicy.
	Policy Policy

	name string
	sub  atomic.Pointer[Subscription] // set once the backplane is found
}

// NewSubscribeTo returns a SubscribeTo to the backplane named name.
func NewSubscribeTo[T any](name string) *SubscribeTo[T] {
	return (&SubscribeTo[T]{name: name}).initBoxes()
}

// Lost returns how many published messages the subscription lost (see
// Subscription.Lost): 0 until it has found the backplane.
func (s *SubscribeTo[T]) Lost() int64 {
	if sub := s.sub.Load(); sub != nil {
		return sub.Lost()
	}
	return 0
}

// onStart finds the backplane, or waits for it.
func (s *SubscribeTo[T]) onStart() {
	n, err := lookup[T](s.Runtime(), s.name)
	if err != nil {
		s.Fail(err)
		return
	}
	found := make(chan struct{})
	n.when(func(bp any) {
		close(found)
		s.sub.Store(bp.(*Backplane[T]).Subscribe(&s.From, s.Policy))
	})
	warnUnlessFound(s.Log(), found, s.Done(), s.name)
}

// onFrom passes a published message on.
func (s *SubscribeTo[T]) onFrom(m T) { s.Out.Send(m) }

// onIn drops what a pipeline sends it: nothing is expected.
func (s *SubscribeTo[T]) onIn(axon.None) {}

// warnUnlessFound logs once, after a second, if the backplane named name
// has not been found, so that a misspelt name does not hang quietly.
func warnUnlessFound(log *slog.Logger, found, done <-chan struct{}, name string) {
	select {
	case <-found:
		return
	default:
	}
	go func() {
		t := time.NewTimer(time.Second)
		defer t.Stop()
		select {
		case <-found:
		case <-done:
		case <-t.C:
			log.Warn("waiting for a backplane that has not started in this runtime: start util.NewBackplane with this name and message type", "backplane", name)
		}
	}()
}
