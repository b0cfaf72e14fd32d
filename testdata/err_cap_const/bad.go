package err_cap_const

import (
	"strings"

	"github.com/kamgen/kamgen/runtime/axon"
)

const (
	zero    = 0
	huge    = 1<<30 + 1
	negated = -4
	half    = 2.5
	whole   = 16.0
	word    = "sixteen"
)

var notConst = 16

type Ratio float64

const ratio Ratio = 3

type C struct {
	axon.Component
	Unknown  axon.Outbox[int] `outbox:"unknown,cap=missing"`
	Zero     axon.Outbox[int] `outbox:"zero,cap=zero"`
	Huge     axon.Outbox[int] `outbox:"huge,cap=huge"`
	Negated  axon.Outbox[int] `outbox:"negated,cap=negated"`
	Half     axon.Outbox[int] `outbox:"half,cap=half"`
	Whole    axon.Outbox[int] `outbox:"whole,cap=whole"`
	Word     axon.Outbox[int] `outbox:"word,cap=word"`
	Var      axon.Outbox[int] `outbox:"var,cap=notConst"`
	Ratio    axon.Outbox[int] `outbox:"ratio,cap=ratio"`
	Universe axon.Outbox[int] `outbox:"universe,cap=true"`
	NoImport axon.Outbox[int] `outbox:"noimport,cap=strconv.IntSize"`
	NoMember axon.Outbox[int] `outbox:"nomember,cap=strings.Nothing"`
	Func     axon.Outbox[int] `outbox:"func,cap=strings.ToUpper"`
	Lower    axon.Outbox[int] `outbox:"lower,cap=strings.lower"`
}

var _ = strings.ToUpper
