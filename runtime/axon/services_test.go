package axon_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Conformance with Kamaelia's test_CoordinatingAssistantTracker.py.

func TestServicesRegistry(t *testing.T) {
	rt := newRT(t)
	s := rt.Services()
	assert.Empty(t, s.Names(), "a new registry is empty")
	assert.Empty(t, s.ValueNames())

	c := newCounting()
	require.NoError(t, s.Register("selector", &c.In))
	assert.Equal(t, []string{"selector"}, s.Names())
	err := s.Register("selector", &c.In)
	require.ErrorIs(t, err, axon.ErrServiceExists, "even with identical arguments")
	require.Error(t, s.Register("nil", nil))

	got, err := s.Lookup("selector")
	require.NoError(t, err)
	assert.Same(t, &c.In, got)
	in, err := axon.Service[*axon.Inbox[int]](s, "selector")
	require.NoError(t, err)
	assert.Same(t, &c.In, in)
	_, err = axon.Service[*axon.Inbox[string]](s, "selector")
	require.Error(t, err, "wrong type")
	_, err = s.Lookup("nope")
	require.ErrorIs(t, err, axon.ErrNoService)

	require.NoError(t, s.Deregister("selector"))
	require.ErrorIs(t, s.Deregister("selector"), axon.ErrNoService, "MultipleServiceDeletion")
	assert.Empty(t, s.Names())
}

func TestServicesValues(t *testing.T) {
	s := newRT(t).Services()
	require.NoError(t, s.Track("answer", 42))
	require.ErrorIs(t, s.Track("answer", 43), axon.ErrValueExists, "NamespaceClash")
	v, err := s.Value("answer")
	require.NoError(t, err)
	assert.Equal(t, 42, v)
	require.NoError(t, s.Update("answer", 7))
	v, _ = s.Value("answer")
	assert.Equal(t, 7, v)
	_, err = s.Value("nope")
	require.ErrorIs(t, err, axon.ErrNoValue, "AccessToUndeclaredTrackedVariable")
	require.ErrorIs(t, s.Update("nope", 1), axon.ErrNoValue)
	require.NoError(t, s.Track("b", 1))
	assert.Equal(t, []string{"answer", "b"}, s.ValueNames())
}

// Each runtime has its own registry (Kamaelia's is process-global).
func TestServicesAreScopedToTheirRuntime(t *testing.T) {
	a, b := newRT(t).Services(), newRT(t).Services()
	require.NoError(t, a.Register("x", 1))
	require.NoError(t, b.Register("x", 2))
	_, err := newRT(t).Services().Lookup("x")
	require.ErrorIs(t, err, axon.ErrNoService)
}

// LookupOrRegister starts a service once, however many ask at once.
func TestLookupOrRegisterStartsOnce(t *testing.T) {
	s := newRT(t).Services()
	var starts int
	var wg sync.WaitGroup
	results := make([]any, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := s.LookupOrRegister("sel", func() (any, error) { starts++; return &starts, nil })
			if err == nil {
				results[i] = v
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, starts)
	for _, r := range results {
		assert.Same(t, &starts, r)
	}
	boom := errors.New("cannot start")
	_, err := s.LookupOrRegister("bad", func() (any, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	_, err = s.Lookup("bad")
	require.ErrorIs(t, err, axon.ErrNoService, "a failed start registers nothing")
}
