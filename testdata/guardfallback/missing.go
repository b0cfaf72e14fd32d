//go:build kamgen_buildcheck

package guardfallback

// Missing exists only when the golden cases are built.
type Missing struct{ n int }
