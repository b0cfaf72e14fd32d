package axon_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/stretchr/testify/require"
)

// hooked is bound the way kamgen's initBoxes binds a component: its
// dispatch and its hooks are unexported, in a Hooks shared by every hooked.
type hooked struct {
	axon.Component
	In axon.Inbox[string]

	mu     sync.Mutex
	events []string
}

var hookedHooks axon.Bound[hooked]

func newHooked() *hooked {
	h := &hooked{}
	h.In.Init(&h.Component, "inbox", 0)
	h.bind()
	return h
}

func (h *hooked) bind() {
	axon.Bind(h, &h.Component, &hookedHooks, func() axon.Hooks[hooked] {
		return axon.Hooks[hooked]{
			Dispatch: func(c *hooked, t *axon.Turn) { axon.Serve(t, &c.In, c.onIn) },
			Start:    (*hooked).onStart,
			Stop:     (*hooked).onStop,
			Wake:     (*hooked).onWake,
			TurnEnd:  (*hooked).onTurnEnd,
			ChildDone: func(c *hooked, child *axon.Component, err error) {
				c.record("child done: " + err.Error())
			},
		}
	})
}

func (h *hooked) record(e string) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

func (h *hooked) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.events...)
}

func (h *hooked) onIn(m string) {
	h.record("in: " + m)
	switch m {
	case "wake":
		h.WakeAfter(time.Millisecond)
	case "child":
		c := newHooked()
		c.Fail(errors.New("boom")) // stopped before its first turn: it never starts
		if err := h.Start(c); err != nil {
			h.record("start: " + err.Error())
		}
	case "stop":
		h.Stop()
	}
}

func (h *hooked) onStart()   { h.record("start") }
func (h *hooked) onStop()    { h.record("stop") }
func (h *hooked) onWake()    { h.record("wake") }
func (h *hooked) onTurnEnd() { h.record("turn end") }

// The runtime calls a bound component's unexported dispatch and hooks, in
// their turns and in the documented order.
func TestBoundHooksAreCalled(t *testing.T) {
	rt := newRT(t)
	h := newHooked()
	require.Equal(t, "*axon_test.hooked", h.Name(), "a bound component is named by its type before it is activated")
	require.NoError(t, rt.Activate(h))
	require.NoError(t, h.In.Deliver("a"))
	eventually(t, "the first message's turn", func() bool {
		got := h.seen()
		return len(got) > 0 && got[len(got)-1] == "turn end" && contains(got, "in: a")
	})
	got := h.seen()
	require.Equal(t, "start", got[0], "Start runs first, before any message")
	require.Equal(t, "turn end", got[slices.Index(got, "in: a")+1], "TurnEnd runs after the handlers")

	require.NoError(t, h.In.Deliver("wake"))
	eventually(t, "the timer", func() bool { return contains(h.seen(), "wake") })
	require.NoError(t, h.In.Deliver("child"))
	eventually(t, "the child's end", func() bool { return contains(h.seen(), "child done: boom") })
	require.NoError(t, h.In.Deliver("stop"))
	waitDone(t, h)
	got = h.seen()
	require.Equal(t, "stop", got[len(got)-1], "Stop runs once, last")
	require.Regexp(t, `^\*axon_test\.hooked_\d+$`, h.Name())
}

func contains(s []string, x string) bool { return slices.Contains(s, x) }

// lateHook has a generated-style Hooks with no Stop, and an exported OnStop
// added by hand after its code was generated: the runtime still calls it.
type lateHook struct {
	axon.Component
	In      axon.Inbox[int]
	stopped chan struct{}
}

var lateHooks axon.Bound[lateHook]

func (l *lateHook) OnStop() { close(l.stopped) }

func TestBoundHooksFallBackOnExportedMethods(t *testing.T) {
	l := &lateHook{stopped: make(chan struct{})}
	l.In.Init(&l.Component, "inbox", 0)
	axon.Bind(l, &l.Component, &lateHooks, func() axon.Hooks[lateHook] {
		return axon.Hooks[lateHook]{
			Dispatch: func(c *lateHook, t *axon.Turn) { axon.Serve(t, &c.In, func(int) { c.Stop() }) },
		}
	})
	require.NoError(t, newRT(t).Activate(l))
	require.NoError(t, l.In.Deliver(1))
	waitDone(t, l)
	select {
	case <-l.stopped:
	default:
		t.Fatal("OnStop was not called")
	}
}

// Binding allocates nothing: a connection's components cost no more for
// being bound.
func TestBindAllocatesNothing(t *testing.T) {
	h := &hooked{}
	h.bind()
	allocs := testing.AllocsPerRun(100, h.bind)
	require.Zero(t, allocs)
}

// A component with neither a dispatch nor Main is refused when activated,
// with what to do.
func TestBindWithoutDispatchIsRefused(t *testing.T) {
	type empty struct{ axon.Component }
	var none axon.Bound[empty]
	e := &empty{}
	axon.Bind(e, &e.Component, &none, func() axon.Hooks[empty] { return axon.Hooks[empty]{} })
	err := newRT(t).Activate(e)
	require.ErrorContains(t, err, "run go generate")
}
