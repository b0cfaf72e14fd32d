package typeerrors

import "github.com/kamgen/kamgen/runtime/axon"

// Before kamgen has run, everything here is a type error: NewEcho, the
// methods of Echo and its hooks are not declared yet. Generation must go on regardless;
// the golden build checks that it all compiles once they are.
var _ axon.Stage[string, string] = NewEcho()

var _ = &kamHooksEcho

func table() []axon.BoxInfo {
	e := NewEcho().initBoxes()
	_ = e.StdInbox()
	return e.BoxTable()
}
