package model

import (
	"fmt"
	"go/token"
	"slices"
	"strings"
)

// Error is a mistake in the user's code: where it is, what is wrong, and
// how to fix it.
type Error struct {
	Pos token.Position
	Msg string
}

func newError(p token.Position, format string, args ...any) Error {
	return Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func (e Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

func sortErrors(errs []Error) {
	slices.SortStableFunc(errs, func(a, b Error) int {
		if c := strings.Compare(a.Pos.Filename, b.Pos.Filename); c != 0 {
			return c
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Column - b.Pos.Column
	})
}
