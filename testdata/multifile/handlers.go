package multifile

// handlers.go declares no component: kamgen writes no handlers_kam.go.

func (a *Alpha) OnIn(n int) {}

// Helper is a plain struct with tags that are not kamgen's.
type Helper struct {
	Name string `json:"name" yaml:"inbox"`
}
