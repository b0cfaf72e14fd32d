package chassis_test

import (
	"fmt"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/chassis"
	"github.com/stretchr/testify/require"
)

// The Graphline tests use mocks whose four boxes all carry signals, so that
// any box can be wired to any other as Kamaelia's tests do (an outbox to a
// control inbox, a signal outbox to an inbox). Their messages are tokens.
type sigMock = mock[axon.Signal]

// graphline is the Graphline the tests build: signals in and out.
type graphline = chassis.Graphline[axon.Signal, axon.Signal]

// abc returns three mocks, A, B and C.
func abc() (a, b, c *sigMock) {
	ms := newMocks[axon.Signal](3)
	return ms[0], ms[1], ms[2]
}

// newGraphline returns a Graphline of children, wired, failing the test on
// a wiring error.
func newGraphline(t *testing.T, children []*sigMock, wire func(g *graphline) []axon.Wiring) *graphline {
	t.Helper()
	parts := make([]axon.Part, len(children))
	for i, c := range children {
		parts[i] = c
	}
	g := chassis.NewGraphline[axon.Signal, axon.Signal](parts...)
	if wire != nil {
		require.NoError(t, g.Wire(wire(g)...))
	}
	arm(g)
	return g
}

// at names the inbox of a sink that a flow should reach.
type at int

const (
	atInbox   at = iota // what reaches the sink's inbox: Messages
	atControl           // what reaches its control: Signals
)

// flows checks a data flow as Kamaelia's checkDataFlows does: a new token
// sent by sendIt reaches the sink to (at its inbox or control), and then
// each child has received exactly what want says, in all (the token
// included if to is that child): nothing leaked anywhere else.
func flows(t *testing.T, rt *axon.Runtime, sendIt func(axon.Signal), to *axontest.Sink[axon.Signal], box at, children []*sigMock, want []int) {
	t.Helper()
	got := to.Messages
	if box == atControl {
		got = to.Signals
	}
	before := len(got())
	tok := token(before)
	sendIt(tok)
	to.WaitFor(t, "the token", func() bool { return len(got()) > before })
	all := got()
	require.Len(t, all, before+1)
	require.Same(t, tok, all[before])
	settle(t, rt)
	for i, c := range children {
		require.Equal(t, want[i], c.received(), "what child %d received: data leaked", i)
	}
}

// Mirrors test_Graphline.py :: test_graphlineEmptyLinkagesArg and
// test_graphlineNoComponentsEmptyLinkagesArg: no wirings, with children or
// without, is fine. (test_smokeTest and test_graphlineNoLinkagesArg, which
// expect a ValueError for a missing linkages argument, do not apply: wirings
// are optional, and NewGraphline cannot be called without its types.)
func TestGraphlineNeedsNoWirings(t *testing.T) {
	t.Run("children", func(t *testing.T) {
		rt := newRT(t)
		a, b, _ := abc()
		g := newGraphline(t, []*sigMock{a, b}, nil)
		require.NoError(t, g.Wire())
		activate(t, rt, g)
		waitStarted(t, a, b)
		stopAll(a, b)
		require.NoError(t, waitFinished(t, g))
	})
	t.Run("no children", func(t *testing.T) {
		rt := newRT(t)
		g := newGraphline(t, nil, nil)
		sig := observe(t, rt, &g.Signal)
		activate(t, rt, g)
		require.NoError(t, waitFinished(t, g), "a Graphline of nothing finishes at once")
		got := sig.WaitCount(t, 1)
		require.IsType(t, &axon.ProducerFinished{}, got[0])
		require.Same(t, g, got[0].(*axon.ProducerFinished).Caller)
	})
}

// Mirrors test_Graphline.py :: test_unactivatedGraphlineHasNoChildren and
// test_graphlineHasChildren.
func TestGraphlineHasChildrenOnlyOnceActivated(t *testing.T) {
	rt := newRT(t)
	a, b, _ := abc()
	g := newGraphline(t, []*sigMock{a, b}, nil)
	require.Empty(t, g.Children(), "children before activation")
	require.Equal(t, []axon.Part{a, b}, g.Parts())

	activate(t, rt, g)
	waitStarted(t, a, b)
	require.ElementsMatch(t, []*axon.Component{a.Base(), b.Base()}, g.Children())
	require.Same(t, g.Base(), a.Parent())
}

// Mirrors test_Graphline.py :: test_activatesChildrenOnlyWhenActivatedNotLinked
// and test_activatesChildrenOnlyWhenActivatedLinked.
func TestGraphlineActivatesChildrenOnlyWhenActivated(t *testing.T) {
	for _, linked := range []bool{false, true} {
		t.Run(fmt.Sprintf("linked=%v", linked), func(t *testing.T) {
			rt := newRT(t)
			a, b, c := abc()
			var wire func(*graphline) []axon.Wiring
			if linked {
				wire = func(*graphline) []axon.Wiring {
					return []axon.Wiring{
						axon.Wire(&a.Out, &b.In),
						axon.Wire(&b.Out, &c.In),
						axon.Wire(&c.Out, &a.In),
					}
				}
			}
			g := newGraphline(t, []*sigMock{a, b, c}, wire)
			settle(t, rt)
			for _, m := range []*sigMock{a, b, c} {
				require.False(t, m.hasStarted())
			}
			activate(t, rt, g)
			waitStarted(t, a, b, c)
		})
	}
}

// Mirrors test_Graphline.py :: test_linkagesBetweenComponents.
func TestGraphlineLinkagesBetweenComponents(t *testing.T) {
	rt := newRT(t)
	a, b, _ := abc()
	children := []*sigMock{a, b}
	g := newGraphline(t, children, func(*graphline) []axon.Wiring {
		return []axon.Wiring{axon.Wire(&a.Out, &b.In)}
	})
	activate(t, rt, g)
	waitStarted(t, children...)

	flows(t, rt, func(m axon.Signal) { send(t, &a.Out, m) }, b.Sink, atInbox, children, []int{0, 1})
}

// Mirrors test_Graphline.py :: test_severalLinkagesBetweenComponents: every
// wiring is made, and data flows along them only.
func TestGraphlineSeveralLinkagesBetweenComponents(t *testing.T) {
	rt := newRT(t)
	ms := newMocks[axon.Signal](4)
	a, b, c, d := ms[0], ms[1], ms[2], ms[3]
	g := newGraphline(t, ms, func(*graphline) []axon.Wiring {
		return []axon.Wiring{
			axon.Wire(&a.Out, &b.In),
			axon.Wire(&c.Out, &d.Control),
			axon.Wire(&c.Signal, &a.In),
			axon.Wire(&b.Signal, &a.Control),
		}
	})
	activate(t, rt, g)
	waitStarted(t, ms...)

	flows(t, rt, func(m axon.Signal) { send(t, &a.Out, m) }, b.Sink, atInbox, ms, []int{0, 1, 0, 0})
	flows(t, rt, func(m axon.Signal) { send(t, &c.Out, m) }, d.Sink, atControl, ms, []int{0, 1, 0, 1})
	flows(t, rt, func(m axon.Signal) { send(t, &c.Signal, m) }, a.Sink, atInbox, ms, []int{1, 1, 0, 1})
	flows(t, rt, func(m axon.Signal) { send(t, &b.Signal, m) }, a.Sink, atControl, ms, []int{2, 1, 0, 1})
}

// Mirrors test_Graphline.py :: test_terminateWhenAllChildrenHaveTerminated.
func TestGraphlineTerminatesWhenAllChildrenHaveTerminated(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(*graphline) []axon.Wiring {
		return []axon.Wiring{axon.Wire(&a.Out, &b.In)}
	})
	activate(t, rt, g)
	waitStarted(t, all...)

	for i, m := range all {
		settle(t, rt)
		require.False(t, g.Stopping(), "the Graphline stopped itself with %d children running", len(all)-i)
		for _, rest := range all[i:] {
			require.False(t, rest.Stopping(), "the Graphline stopped a running child")
		}
		m.Stop()
		axontest.WaitDone(t, m)
	}
	require.NoError(t, waitFinished(t, g))
}

// Mirrors test_Graphline.py :: test_specifyingPassthruInLinkage: the
// Graphline's inbox and control passed through to children. (Kamaelia's
// test loops over names that are not children, all meaning "self"; a typed
// wiring names the Graphline's box itself.)
func TestGraphlinePassthroughIn(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		return []axon.Wiring{
			axon.WireIn(&g.In, &a.Control),
			axon.WireIn(&g.Control, &b.In),
			axon.Wire(&c.Out, &a.In),
		}
	})
	activate(t, rt, g)
	waitStarted(t, all...)

	flows(t, rt, func(m axon.Signal) { require.NoError(t, g.In.Deliver(m)) }, a.Sink, atControl, all, []int{1, 0, 0})
	flows(t, rt, func(m axon.Signal) { require.NoError(t, g.Control.Deliver(m)) }, b.Sink, atInbox, all, []int{1, 1, 0})
}

// Mirrors test_Graphline.py :: test_specifyingPassthruInLinkageNewBox:
// inboxes beyond the standard four, made for the Graphline with
// axon.NewInbox, are passed through like its own.
func TestGraphlinePassthroughInNewBox(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	var novel, another *axon.Inbox[axon.Signal]
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		novel = axon.NewInbox[axon.Signal](&g.Component, "novel-inbox", 0)
		another = axon.NewInbox[axon.Signal](&g.Component, "another-novel-inbox", 0)
		return []axon.Wiring{
			axon.WireIn(novel, &a.Control),
			axon.WireIn(another, &b.In),
			axon.Wire(&c.Out, &a.In),
		}
	})
	activate(t, rt, g)
	waitStarted(t, all...)

	flows(t, rt, func(m axon.Signal) { require.NoError(t, novel.Deliver(m)) }, a.Sink, atControl, all, []int{1, 0, 0})
	flows(t, rt, func(m axon.Signal) { require.NoError(t, another.Deliver(m)) }, b.Sink, atInbox, all, []int{1, 1, 0})
}

// Mirrors test_Graphline.py :: test_specifyingPassthruOutLinkage.
func TestGraphlinePassthroughOut(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		return []axon.Wiring{
			axon.WireOut(&a.Out, &g.Signal),
			axon.WireOut(&b.Signal, &g.Out),
			axon.Wire(&c.Out, &a.In),
		}
	})
	out, sig := observe(t, rt, &g.Out), observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, all...)

	flows(t, rt, func(m axon.Signal) { send(t, &a.Out, m) }, sig, atInbox, all, []int{0, 0, 0})
	flows(t, rt, func(m axon.Signal) { send(t, &b.Signal, m) }, out, atInbox, all, []int{0, 0, 0})
}

// Mirrors test_Graphline.py :: test_specifyingPassthruOutLinkageNewBox.
func TestGraphlinePassthroughOutNewBox(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	var novel, another *axon.Outbox[axon.Signal]
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		novel = axon.NewOutbox[axon.Signal](&g.Component, "novel-boxname", 0)
		another = axon.NewOutbox[axon.Signal](&g.Component, "another-novel-boxname", 0)
		return []axon.Wiring{
			axon.WireOut(&a.Out, novel),
			axon.WireOut(&b.Signal, another),
			axon.Wire(&c.Out, &a.In),
		}
	})
	n1, n2 := observe(t, rt, novel), observe(t, rt, another)
	activate(t, rt, g)
	waitStarted(t, all...)

	flows(t, rt, func(m axon.Signal) { send(t, &a.Out, m) }, n1, atInbox, all, []int{0, 0, 0})
	flows(t, rt, func(m axon.Signal) { send(t, &b.Signal, m) }, n2, atInbox, all, []int{0, 0, 0})
}

// Mirrors test_Graphline.py :: test_emissionOfShutdownSignal_1: with its
// signal outbox not wired, the Graphline sends nothing while children run,
// and a ProducerFinished of its own once they have all finished.
func TestGraphlineEmissionOfShutdownSignal1(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(*graphline) []axon.Wiring {
		return []axon.Wiring{axon.Wire(&a.Out, &b.In)}
	})
	sig := observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, all...)

	settle(t, rt)
	require.Empty(t, sig.Messages(), "nothing is sent while children run")
	stopAll(all...)
	require.NoError(t, waitFinished(t, g))
	got := sig.WaitCount(t, 1)
	require.IsType(t, &axon.ProducerFinished{}, got[0])
	require.Same(t, g, got[0].(*axon.ProducerFinished).Caller)
	settle(t, rt)
	require.Len(t, sig.Messages(), 1)
}

// Mirrors test_Graphline.py :: test_emissionOfShutdownSignal_2: with signal
// and control not wired, a ShutdownMicroprocess received is the very message
// sent at the end.
func TestGraphlineEmissionOfShutdownSignal2(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(*graphline) []axon.Wiring {
		return []axon.Wiring{axon.Wire(&a.Out, &b.In)}
	})
	sig := observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, all...)

	settle(t, rt)
	require.Empty(t, sig.Messages())
	sm := &axon.ShutdownMicroprocess{}
	require.NoError(t, g.Control.Deliver(sm))
	a.WaitSignals(t, 1) // the Graphline has taken it

	stopAll(all...)
	require.NoError(t, waitFinished(t, g))
	got := sig.WaitCount(t, 1)
	require.Same(t, sm, got[0])
}

// Mirrors test_Graphline.py :: test_receivesShutdownPassesThru: with control
// wired to a child, signals go along that wiring only.
func TestGraphlineReceivesShutdownPassesThru(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		return []axon.Wiring{axon.WireIn(&g.Control, &a.Control)}
	})
	activate(t, rt, g)
	waitStarted(t, all...)

	flows(t, rt, func(m axon.Signal) { require.NoError(t, g.Control.Deliver(m)) }, a.Sink, atControl, all, []int{1, 0, 0})
	sm := &axon.ShutdownMicroprocess{}
	require.NoError(t, g.Control.Deliver(sm))
	require.Same(t, sm, a.WaitSignals(t, 2)[1])
	settle(t, rt)
	require.Zero(t, b.received())
	require.Zero(t, c.received())
}

// Mirrors test_Graphline.py :: test_receivesShutdownDisseminated: with
// control not wired, a signal goes, the same object, to every child without
// a wiring into its control, and to no other.
func TestGraphlineReceivesShutdownDisseminated(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(*graphline) []axon.Wiring {
		return []axon.Wiring{axon.Wire(&a.Out, &b.Control)} // keeps the signal from B
	})
	activate(t, rt, g)
	waitStarted(t, all...)

	sm := &axon.ShutdownMicroprocess{}
	require.NoError(t, g.Control.Deliver(sm))
	require.Same(t, sm, a.WaitSignals(t, 1)[0])
	require.Same(t, sm, c.WaitSignals(t, 1)[0])
	settle(t, rt)
	require.Zero(t, b.received(), "B's control is wired: it gets no signal from the Graphline")
	require.Len(t, a.Signals(), 1)
	require.Len(t, c.Signals(), 1)
	require.Empty(t, a.Messages())
	require.Empty(t, c.Messages())
}

// flurble is a signal of the user's own, neither a ProducerFinished nor a
// ShutdownMicroprocess (Kamaelia's test sends the string "flurble").
type flurble struct{}

func (*flurble) StopNow() bool { return false }

// serverShutdown is a ShutdownMicroprocess of the user's own, the way
// Kamaelia subclasses it.
type serverShutdown struct{ axon.ShutdownMicroprocess }

// Mirrors test_Graphline.py :: test_receivesShutdownAndPropagates,
// test_receivesShutdownAndPropagates2 and test_receivesShutdownAndPropagates23.
func TestGraphlineReceivesShutdownAndPropagates(t *testing.T) {
	cases := []struct {
		name         string
		wireControl  bool        // control wired to A (test 23)
		msg          axon.Signal // sent to the Graphline's control
		reemitsSame  bool        // the end signal is msg itself; otherwise a new ProducerFinished
		mirrorsKamTC string
	}{
		{"shutdown", false, &axon.ShutdownMicroprocess{}, true, "test_receivesShutdownAndPropagates"},
		{"shutdown subtype", false, &serverShutdown{}, true, "test_receivesShutdownAndPropagates"},
		{"producerFinished", false, &axon.ProducerFinished{Caller: nil}, false, "test_receivesShutdownAndPropagates2"},
		{"other signal", false, &flurble{}, false, "test_receivesShutdownAndPropagates2"},
		{"control wired, shutdown", true, &axon.ShutdownMicroprocess{}, false, "test_receivesShutdownAndPropagates23"},
		{"control wired, producerFinished", true, &axon.ProducerFinished{Caller: nil}, false, "test_receivesShutdownAndPropagates23"},
		{"control wired, other signal", true, &flurble{}, false, "test_receivesShutdownAndPropagates23"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRT(t)
			a, b, c := abc()
			all := []*sigMock{a, b, c}
			g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
				ws := []axon.Wiring{axon.Wire(&a.Out, &b.Control)}
				if tc.wireControl {
					ws = append(ws, axon.WireIn(&g.Control, &a.Control))
				}
				return ws
			})
			sig := observe(t, rt, &g.Signal)
			activate(t, rt, g)
			waitStarted(t, all...)

			require.NoError(t, g.Control.Deliver(tc.msg))
			require.Same(t, tc.msg, a.WaitSignals(t, 1)[0])
			settle(t, rt)
			require.False(t, g.Stopping(), "a signal alone does not stop the Graphline")
			require.Empty(t, sig.Messages())

			stopAll(all...)
			require.NoError(t, waitFinished(t, g))
			got := sig.WaitCount(t, 1)
			if tc.reemitsSame {
				require.Same(t, tc.msg, got[0])
			} else {
				require.NotSame(t, tc.msg, got[0])
				require.IsType(t, &axon.ProducerFinished{}, got[0])
				require.Same(t, g, got[0].(*axon.ProducerFinished).Caller)
			}
		})
	}
}

// Mirrors test_Graphline.py :: test_doesNotPropagateShutdownMsg: with its
// signal outbox wired from a child, the Graphline never sends on it itself.
func TestGraphlineDoesNotPropagateShutdownMsg(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		return []axon.Wiring{
			axon.WireOut(&a.Signal, &g.Signal),
			axon.Wire(&a.Out, &b.Control),
		}
	})
	sig := observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, all...)

	require.NoError(t, g.Control.Deliver(&axon.ProducerFinished{Caller: nil}))
	require.NoError(t, g.Control.Deliver(&axon.ShutdownMicroprocess{}))
	a.WaitSignals(t, 2)
	settle(t, rt)
	require.False(t, g.Stopping())
	require.Empty(t, sig.Messages())

	stopAll(all...)
	require.NoError(t, waitFinished(t, g))
	settle(t, rt)
	require.Empty(t, sig.Messages(), "the Graphline sent a signal of its own")
}

// Mirrors test_Graphline.py :: test_manuallyImplementedShutdownOverrides:
// with control and signal both wired, the Graphline never sends on its
// outboxes itself.
func TestGraphlineManuallyImplementedShutdownOverrides(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	all := []*sigMock{a, b, c}
	g := newGraphline(t, all, func(g *graphline) []axon.Wiring {
		return []axon.Wiring{
			axon.WireIn(&g.Control, &a.Control),
			axon.WireOut(&a.Signal, &g.Signal),
			axon.Wire(&b.Out, &c.In),
		}
	})
	out, sig := observe(t, rt, &g.Out), observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, all...)

	settle(t, rt)
	require.Empty(t, out.Messages())
	require.Empty(t, sig.Messages())

	flows(t, rt, func(m axon.Signal) { require.NoError(t, g.Control.Deliver(m)) }, a.Sink, atControl, all, []int{1, 0, 0})
	flows(t, rt, func(m axon.Signal) { send(t, &a.Signal, m) }, sig, atInbox, all, []int{1, 0, 0})
	flows(t, rt, func(m axon.Signal) { send(t, &b.Out, m) }, c.Sink, atInbox, all, []int{1, 0, 1})

	stopAll(all...)
	require.NoError(t, waitFinished(t, g))
	settle(t, rt)
	require.Empty(t, out.Messages())
	require.Len(t, sig.Messages(), 1, "only what A sent")
}

// §12 L6: Kamaelia took any name that was not a child's to mean the
// Graphline itself, so a typo wired the wrong box silently, and the boxes it
// made for such names leaked into every later Graphline. A wiring here names
// boxes, not strings, and Wire rejects a box of any component outside the
// Graphline, naming it; a box made for one Graphline is no box of another.
func TestGraphlineRejectsForeignBoxesL6(t *testing.T) {
	a, b, _ := abc()
	stranger := newMock[axon.Signal]()
	g := newGraphline(t, []*sigMock{a, b}, nil)

	err := g.Wire(axon.Wire(&a.Out, &stranger.In))
	require.ErrorIs(t, err, chassis.ErrForeignBox)
	require.ErrorContains(t, err, `wiring 0: its sink is inbox "inbox" of a component that is not in the Graphline`)

	err = g.Wire(axon.Wire(&stranger.Out, &b.Control))
	require.ErrorIs(t, err, chassis.ErrForeignBox)
	require.ErrorContains(t, err, `its source is outbox "outbox"`)

	// A box made for another Graphline belongs to that one only.
	other := newGraphline(t, []*sigMock{stranger}, nil)
	extra := axon.NewInbox[axon.Signal](&other.Component, "novel-inbox", 0)
	require.NoError(t, other.Wire(axon.WireIn(extra, &stranger.In)), "the other Graphline may use its own box")
	err = g.Wire(axon.WireIn(extra, &a.In))
	require.ErrorIs(t, err, chassis.ErrForeignBox)
	require.ErrorContains(t, err, `inbox "novel-inbox"`)

	// Nothing rejected was added: the Graphline runs with no wiring, and its
	// children's boxes are still free.
	require.Empty(t, g.Wirings())
	rt := newRT(t)
	activate(t, rt, g)
	waitStarted(t, a, b)
	axontest.Link(t, &a.Out, &stranger.In)
	stopAll(a, b)
	require.NoError(t, waitFinished(t, g))
}

// Wire checks every wiring and reports every problem, adding none of the
// wirings when one is wrong.
func TestGraphlineWireErrors(t *testing.T) {
	a, b, _ := abc()
	g := newGraphline(t, []*sigMock{a, b}, nil)
	other := newGraphline(t, nil, nil)
	cases := []struct {
		name    string
		wirings []axon.Wiring
		is      error
		says    string
	}{
		{"self to self", []axon.Wiring{axon.WireIn(&g.In, &g.Control)}, chassis.ErrSelfWiring, `links the Graphline's inbox "inbox" to its own inbox "control"`},
		{"own outbox as source", []axon.Wiring{axon.Wire(&g.Out, &a.In)}, chassis.ErrSelfWiring, `the Graphline's outbox "outbox" can only be the sink`},
		{"own inbox as sink", []axon.Wiring{axon.Wire(&a.Out, &g.In)}, chassis.ErrSelfWiring, `the Graphline's inbox "inbox" can only be the source`},
		{"fan-out", []axon.Wiring{axon.Wire(&a.Out, &b.In), axon.Wire(&a.Out, &b.Control)}, axon.ErrAlreadyLinked, `wirings 0 and 1 both start from outbox "outbox" of child 0`},
		{"another Graphline's box", []axon.Wiring{axon.WireIn(&other.In, &a.In)}, chassis.ErrForeignBox, `its source is inbox "inbox" of a component`},
		{"empty wiring", []axon.Wiring{{}}, nil, "wiring 0 is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := g.Wire(tc.wirings...)
			require.Error(t, err)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.ErrorContains(t, err, tc.says)
			require.Empty(t, g.Wirings(), "a wrong wiring was added")
		})
	}

	t.Run("every problem reported", func(t *testing.T) {
		stranger := newMock[axon.Signal]()
		err := g.Wire(
			axon.Wire(&a.Out, &b.In), // fine on its own
			axon.Wire(&stranger.Out, &a.In),
			axon.Wire(&g.Out, &b.In),
		)
		require.ErrorIs(t, err, chassis.ErrForeignBox)
		require.ErrorIs(t, err, chassis.ErrSelfWiring)
		require.Empty(t, g.Wirings())
	})

	t.Run("fan-out across calls", func(t *testing.T) {
		g := newGraphline(t, []*sigMock{a, b}, nil)
		require.NoError(t, g.Wire(axon.Wire(&a.Out, &b.In)))
		require.ErrorIs(t, g.Wire(axon.Wire(&a.Out, &b.Control)), axon.ErrAlreadyLinked)
		require.Len(t, g.Wirings(), 1)
	})

	t.Run("bad children", func(t *testing.T) {
		g := chassis.NewGraphline[int, int](a, nil, a)
		err := g.Wire()
		require.ErrorIs(t, err, chassis.ErrBadChild)
		require.ErrorContains(t, err, "child 1 is nil")
		require.ErrorContains(t, err, "children 0 and 2 are the same component")

		rt := newRT(t)
		activate(t, rt, g)
		require.ErrorIs(t, waitFinished(t, g), chassis.ErrBadChild, "a Graphline of bad children fails when it starts")
		require.False(t, a.hasStarted())
	})

	t.Run("after start", func(t *testing.T) {
		rt := newRT(t)
		c := newMock[axon.Signal]()
		g := newGraphline(t, []*sigMock{c}, nil)
		activate(t, rt, g)
		waitStarted(t, c)
		require.ErrorIs(t, g.Wire(axon.Wire(&c.Out, &c.In)), chassis.ErrStarted)
		c.Stop()
		require.NoError(t, waitFinished(t, g))
	})
}

// A signal for children is never lost: when a child's control inbox is
// full, the Graphline holds the signal until there is room, and reads no
// further signal meanwhile.
func TestGraphlineForwardsSignalsWithoutLoss(t *testing.T) {
	rt := newRT(t)
	slow := newGate()
	slow.Control.SetCap(1)
	g := chassis.NewGraphline[int, int](slow)
	arm(g)
	activate(t, rt, g)
	waitClosed(t, slow.started, "the gated child to start")

	const n = 20
	sent := make([]axon.Signal, n)
	for i := range sent {
		sent[i] = token(i)
		require.NoError(t, g.Control.Deliver(sent[i]))
	}
	settle(t, rt)
	require.Equal(t, 1, slow.Control.Len(), "the child's control is full")
	require.Positive(t, g.Control.Len(), "the Graphline stopped reading signals while it held one")

	slow.open()
	got := slow.waitSignals(t, n)
	for i := range sent {
		require.Same(t, sent[i], got[i], "signal %d", i)
	}
	slow.Stop()
	require.NoError(t, waitFinished(t, g))
}

// A child that fails fails the Graphline, which stops the others.
func TestGraphlineChildFailure(t *testing.T) {
	rt := quietRT(t)
	bomb := newMap(func(n int) (int, bool) { panic("boom") })
	rest := newMock[int]()
	g := chassis.NewGraphline[int, int](bomb, rest)
	require.NoError(t, g.Wire(axon.WireIn(&g.In, &bomb.In)))
	activate(t, rt, g)
	waitStarted(t, rest)
	require.NoError(t, g.In.Deliver(1))

	var pe *axon.PanicError
	require.ErrorAs(t, waitFinished(t, g), &pe)
	require.True(t, rest.Finished())
}

// Stop stops the Graphline and its children at once; it sends nothing.
func TestGraphlineStop(t *testing.T) {
	rt := newRT(t)
	a, b, c := abc()
	g := newGraphline(t, []*sigMock{a, b, c}, nil)
	sig := observe(t, rt, &g.Signal)
	activate(t, rt, g)
	waitStarted(t, a, b, c)
	g.Stop()
	require.NoError(t, waitFinished(t, g))
	settle(t, rt)
	require.Empty(t, sig.Messages())
}

// A Graphline is a stage: here it is the middle of a Pipeline, its inbox
// and outbox passed through to a chain of two children inside, and the
// shutdown travelling through them as it would through a Pipeline.
func TestGraphlineAsPipelineStage(t *testing.T) {
	rt := axontest.Runtime(t)
	double := newMap(func(n int) (int, bool) { return 2 * n, true })
	inc := newMap(func(n int) (int, bool) { return n + 1, true })
	g := chassis.NewGraphline[int, int](double, inc)
	require.NoError(t, g.Wire(
		axon.WireIn(&g.In, &double.In),
		axon.Wire(&double.Out, &inc.In),
		axon.Wire(&double.Signal, &inc.Control),
		axon.WireOut(&inc.Out, &g.Out),
	))
	src := axontest.NewSource(ints(100)...)
	snk := axontest.NewSink[int]()
	p := chassis.Pipeline3(src, g, snk)
	activate(t, rt, p)

	require.NoError(t, waitFinished(t, p))
	want := make([]int, 100)
	for i := range want {
		want[i] = 2*i + 1
	}
	require.Equal(t, want, snk.Messages())
	// The Source's ProducerFinished reached the Graphline's control, which
	// passed it to double (inc's control is wired); the chain stopped, and
	// the Graphline told the Sink with a ProducerFinished of its own.
	sigs := snk.Signals()
	require.Len(t, sigs, 1)
	require.Same(t, g, sigs[0].(*axon.ProducerFinished).Caller)
}
