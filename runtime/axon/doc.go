// Package axon is kamgen's component runtime: typed, bounded mailboxes, the
// links between them, the scheduler that runs components, and their
// lifecycle. It is Kamaelia's Axon, checked by the compiler.
//
// # Components
//
// A component is a struct that embeds Component and has Inbox and Outbox
// fields. kamgen generates its constructor, which calls Init on every box,
// and its dispatch. There are two kinds:
//
//   - A reactive component (Reactive) has a handler method per inbox. The
//     scheduler runs it on a pool of GOMAXPROCS workers only while a message
//     waits for it; a paused reactive component costs no goroutine. Each turn
//     hands every inbox at most a fixed budget of messages, so a busy
//     component cannot starve the others.
//   - A threaded component (Threaded) has a Main(ctx) error method that runs
//     in a goroutine of its own, for blocking work. It receives with
//     Inbox.Recv or Component.Wait and TryRecv.
//
// # Mailboxes and backpressure
//
// Every box is bounded (DefaultCapacity unless set). A reactive handler's
// Send never blocks a worker: when the destination is full the message waits
// in the outbox and the component is given no new messages until it has been
// delivered, so a slow consumer stops its producers all the way up. A
// threaded component's Send blocks until there is room. Offer never waits:
// it reports false (Kamaelia's noSpaceInBox) and has the sender woken when
// room appears.
//
// A message sent on an outbox that is not linked waits in the outbox (up to
// its capacity) and moves on when the outbox is linked: nothing is dropped,
// even once its owner has finished. What waits in a finished component's
// inboxes, which no one will take, and what is sent to them afterwards, is
// dropped and counted: Runtime.Dropped. A sender waiting for room in a
// finished component's inbox is let go.
//
// # Links
//
// Link joins an outbox to an inbox of the same message type. Wire describes
// such a link for a container to make later, and WireIn and WireOut
// describe Kamaelia's passthrough links of containers; a Wiring's Link
// makes it. A box has at most
// one destination (ErrAlreadyLinked); many boxes may feed one. A chain of
// links costs the same as one: messages go straight to the chain's end.
// Links may be made, removed and made again while messages flow; no message
// is lost or duplicated.
//
// # Lifecycle
//
// A Runtime activates top-level components; a component starts children
// with Component.Start and finishes only after they have. Stop asks a
// component (and its children) to stop; Done is closed when it has finished.
// A panic in a component stops that component, is reported to its parent as
// a *PanicError, and the process lives on. Components signal each other with
// ProducerFinished and ShutdownMicroprocess on their control and signal
// boxes, following Kamaelia's conventions.
package axon
