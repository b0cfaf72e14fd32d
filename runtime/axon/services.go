package axon

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Errors of the service registry (Kamaelia's CAT).
var (
	// ErrServiceExists is Kamaelia's ServiceAlreadyExists.
	ErrServiceExists = errors.New("axon: service already registered")
	// ErrNoService is returned for a name no service is registered under
	// (Kamaelia's KeyError and MultipleServiceDeletion).
	ErrNoService = errors.New("axon: no such service")
	// ErrValueExists is Kamaelia's NamespaceClash.
	ErrValueExists = errors.New("axon: value already tracked")
	// ErrNoValue is Kamaelia's AccessToUndeclaredTrackedVariable.
	ErrNoValue = errors.New("axon: value not tracked")
)

// Services is a runtime's registry of named services and tracked values
// (Kamaelia's CoordinatingAssistantTracker). Each Runtime has its own, so
// nothing leaks between runtimes. It is safe for concurrent use.
type Services struct {
	mu       sync.Mutex
	services map[string]any
	values   map[string]any
}

func (s *Services) init() {
	s.services = map[string]any{}
	s.values = map[string]any{}
}

// Register registers svc under name. It fails with ErrServiceExists if the
// name is taken, even by the same service.
func (s *Services) Register(name string, svc any) error {
	if svc == nil {
		return fmt.Errorf("axon: register %q: nil service", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.services[name]; ok {
		return fmt.Errorf("%w: %q", ErrServiceExists, name)
	}
	s.services[name] = svc
	return nil
}

// Lookup returns the service registered under name.
func (s *Services) Lookup(name string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, ok := s.services[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoService, name)
	}
	return svc, nil
}

// LookupOrRegister returns the service registered under name, first
// registering the one start makes if there is none. start runs at most once
// per name at a time, under the registry's lock: it must not use the
// registry.
func (s *Services) LookupOrRegister(name string, start func() (any, error)) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if svc, ok := s.services[name]; ok {
		return svc, nil
	}
	svc, err := start()
	if err != nil {
		return nil, err
	}
	s.services[name] = svc
	return svc, nil
}

// Deregister removes the service registered under name, or fails with
// ErrNoService.
func (s *Services) Deregister(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.services[name]; !ok {
		return fmt.Errorf("%w: %q", ErrNoService, name)
	}
	delete(s.services, name)
	return nil
}

// Names returns the registered service names, sorted.
func (s *Services) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.services)
}

// Track records a new value under name; ErrValueExists if there is one.
func (s *Services) Track(name string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[name]; ok {
		return fmt.Errorf("%w: %q", ErrValueExists, name)
	}
	s.values[name] = v
	return nil
}

// Update changes the value tracked under name; ErrNoValue if there is none.
func (s *Services) Update(name string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[name]; !ok {
		return fmt.Errorf("%w: %q", ErrNoValue, name)
	}
	s.values[name] = v
	return nil
}

// Value returns the value tracked under name; ErrNoValue if there is none.
func (s *Services) Value(name string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoValue, name)
	}
	return v, nil
}

// ValueNames returns the names of the tracked values, sorted.
func (s *Services) ValueNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.values)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Service returns the service registered under name as a T. It fails with
// ErrNoService when there is none and with a type error when it is not a T.
func Service[T any](s *Services, name string) (T, error) {
	var zero T
	v, err := s.Lookup(name)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("axon: service %q is a %T, not a %T", name, v, zero)
	}
	return t, nil
}
