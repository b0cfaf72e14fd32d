package chassis

//go:generate go run gen_pipeline.go

import (
	"fmt"
	"slices"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Pipeline is a chain of stages: what one stage sends on its outbox is what
// the next takes on its inbox, and each stage's signal outbox feeds the next
// one's control inbox, so that a shutdown travels down the chain. The
// Pipeline is a stage itself: its inbox and control feed the first stage, and
// the last stage's outbox and signal come out of the Pipeline's.
//
// Build one with Pipeline2 to Pipeline10, one constructor per number of
// stages. The compiler checks every joint: in Pipeline3(s1, s2, s3), s1 must
// send what s2 takes and s2 what s3 takes, and the result is a
// *Pipeline[input of s1, output of s3]. NewPipeline chains any number of
// stages that all take and send one type.
//
// # Example usage
//
// Read lines, turn them upper case, and print them, with three components
// of your own: a reader sending strings, an upper-caser taking and sending
// strings, and a printer taking strings.
//
//	p := chassis.Pipeline3(NewLineReader(os.Stdin), NewUpper(), NewPrinter(os.Stdout))
//	err := axon.Run(ctx, p)
//
// Should NewUpper send []byte instead, the line does not compile.
//
// # How does it work?
//
// The wiring happens when the Pipeline first runs, not when it is built:
//
//   - stage[i].outbox -> stage[i+1].inbox, and stage[i].signal ->
//     stage[i+1].control;
//   - the Pipeline's inbox and control are passed through to the first
//     stage's inbox and control;
//   - the last stage's outbox and signal are passed through to the
//     Pipeline's outbox and signal (or, for a Circular pipeline, linked back
//     to the first stage's inbox and control).
//
// The Pipeline owns these links: they are removed when it finishes. Then it
// starts the stages as its children. Messages sent to the Pipeline before it
// runs wait in its inbox and move to the first stage when the links are made.
//
// The Pipeline itself reads nothing and sends nothing: shutdown travels only
// along the signal->control chain. It finishes when every stage has
// finished; a stage that finishes early does not stop the others. A stage
// that fails fails the Pipeline, which stops the other stages.
//
// # Inboxes
//
//   - inbox: passed through to the first stage's inbox.
//   - control: passed through to the first stage's control.
//
// # Outboxes
//
//   - outbox: what the last stage sends on its outbox.
//   - signal: what the last stage sends on its signal.
type Pipeline[I, O any] struct {
	axon.Component
	In      axon.Inbox[I]            `inbox:"inbox,nohandler"`   // passed through to the first stage's inbox
	Control axon.Inbox[axon.Signal]  `inbox:"control,nohandler"` // passed through to the first stage's control
	Out     axon.Outbox[O]           `outbox:"outbox"`           // what the last stage sends on its outbox
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"`           // what the last stage sends on its signal

	stages []axon.Part
	inner  []axon.Wiring // the Pipeline's inboxes to the first stage, and stage to stage
	tail   []axon.Wiring // the last stage to the Pipeline's outboxes, or back to the first stage
	// The ends of the chain, kept typed for Circular.
	firstIn  *axon.Inbox[I]
	firstCtl *axon.Inbox[axon.Signal]
	lastOut  *axon.Outbox[O]
	lastSig  *axon.Outbox[axon.Signal]
}

// NewPipeline returns a Pipeline of any number of stages that all take and
// send the same type T: each stage's outbox feeds the next one's inbox, and
// its signal the next one's control. (Pipeline2 to Pipeline10 chain stages
// whose types differ.) It panics if there is no stage, or if a stage is nil
// or appears twice.
func NewPipeline[T any](stages ...axon.Stage[T, T]) *Pipeline[T, T] {
	if len(stages) == 0 {
		panic("chassis: NewPipeline: no stages")
	}
	parts := make([]axon.Part, len(stages))
	for i, s := range stages {
		if s != nil {
			parts[i] = s
		}
	}
	checkStages("NewPipeline", parts...)
	joins := make([][]axon.Wiring, 0, len(stages)-1)
	for i := 1; i < len(stages); i++ {
		joins = append(joins, join(stages[i-1], stages[i]))
	}
	p := (&Pipeline[T, T]{}).initBoxes()
	return chainStages(p, stages[0], stages[len(stages)-1], parts, joins...)
}

// newPipeline builds the Pipeline of stages, whose first and last are given
// typed; joins are the wirings between neighbouring stages, from join.
func newPipeline[I, X, Y, O any](first axon.Stage[I, X], last axon.Stage[Y, O], stages []axon.Part, joins ...[]axon.Wiring) *Pipeline[I, O] {
	return chainStages((&Pipeline[I, O]{}).initBoxes(), first, last, stages, joins...)
}

// chainStages sets p up to hold stages, whose first and last are given
// typed, and returns it. p's boxes are set up (initBoxes).
func chainStages[I, X, Y, O any](p *Pipeline[I, O], first axon.Stage[I, X], last axon.Stage[Y, O], stages []axon.Part, joins ...[]axon.Wiring) *Pipeline[I, O] {
	p.stages = stages
	p.firstIn, p.firstCtl = first.StdInbox(), first.StdControl()
	p.lastOut, p.lastSig = last.StdOutbox(), last.StdSignal()
	p.inner = append(p.inner,
		axon.WireIn(&p.In, p.firstIn),
		axon.WireIn(&p.Control, p.firstCtl))
	for _, j := range joins {
		p.inner = append(p.inner, j...)
	}
	p.tail = []axon.Wiring{
		axon.WireOut(p.lastOut, &p.Out),
		axon.WireOut(p.lastSig, &p.Signal),
	}
	return p
}

// join describes the two links between neighbouring stages: outbox to
// inbox, signal to control. Its type parameters are what makes a mismatch
// between neighbours a compile error.
func join[A, B, C any](up axon.Stage[A, B], down axon.Stage[B, C]) []axon.Wiring {
	return []axon.Wiring{
		axon.Wire(up.StdOutbox(), down.StdInbox()),
		axon.Wire(up.StdSignal(), down.StdControl()),
	}
}

// checkStages panics, naming the constructor, when a stage is nil or
// appears twice: mistakes in the program, not conditions to handle.
func checkStages(constructor string, stages ...axon.Part) {
	seen := make(map[*axon.Component]int, len(stages))
	for i, s := range stages {
		if s == nil || s.Base() == nil {
			panic(fmt.Sprintf("chassis: %s: stage %d is nil", constructor, i+1))
		}
		if j, dup := seen[s.Base()]; dup {
			panic(fmt.Sprintf("chassis: %s: stages %d and %d are the same component (%T)", constructor, j+1, i+1, s))
		}
		seen[s.Base()] = i
	}
}

// Circular makes p a circular pipeline (Kamaelia's circular=True): the last
// stage's outbox and signal are linked back to the first stage's inbox and
// control instead of coming out of the Pipeline's outbox and signal, which
// then send nothing. The Pipeline's inbox and control still feed the first
// stage. Only a pipeline whose last stage sends what its first takes can be
// circular. Call it before p is activated; it returns p.
func Circular[T any](p *Pipeline[T, T]) *Pipeline[T, T] {
	p.tail = []axon.Wiring{
		axon.Wire(p.lastOut, p.firstIn),
		axon.Wire(p.lastSig, p.firstCtl),
	}
	return p
}

// Stages returns the Pipeline's stages, first to last.
func (p *Pipeline[I, O]) Stages() []axon.Part { return slices.Clone(p.stages) }

// onStart links the stages and starts them, in the Pipeline's first turn.
func (p *Pipeline[I, O]) onStart() {
	for _, w := range slices.Concat(p.inner, p.tail) {
		l, err := w.Link()
		if err != nil {
			p.Fail(fmt.Errorf("chassis: Pipeline: %w", err))
			return
		}
		p.Own(l)
	}
	if err := p.Start(p.stages...); err != nil {
		p.Fail(fmt.Errorf("chassis: Pipeline: %w", err))
	}
}

// onChildDone finishes the Pipeline when its last stage has finished, and
// fails it when a stage failed.
func (p *Pipeline[I, O]) onChildDone(child *axon.Component, err error) {
	if err != nil {
		p.Fail(fmt.Errorf("chassis: Pipeline stage %s failed: %w", child.Name(), err))
		return
	}
	if len(p.Children()) == 0 {
		p.Stop()
	}
}
