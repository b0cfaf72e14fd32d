package axontest_test

import (
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSourceToSink(t *testing.T) {
	rt := axontest.Runtime(t)
	src := axontest.NewSource("a", "b", "c")
	snk := axontest.NewSink[string]()
	axontest.Link(t, &src.Out, &snk.In)
	axontest.Link(t, &src.Signal, &snk.Control)
	require.NoError(t, rt.Activate(src, snk))
	axontest.WaitDone(t, snk)
	require.Equal(t, []string{"a", "b", "c"}, snk.Messages())
	sigs := snk.Signals()
	require.Len(t, sigs, 1)
	pf, ok := sigs[0].(*axon.ProducerFinished)
	require.True(t, ok, "got %T", sigs[0])
	require.Same(t, src, pf.Caller)
}
