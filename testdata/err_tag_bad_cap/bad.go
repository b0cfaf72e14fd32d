package err_tag_bad_cap

import "github.com/kamgen/kamgen/runtime/axon"

type C struct {
	axon.Component
	Zero     axon.Outbox[int] `outbox:"zero,cap=0"`
	Negative axon.Outbox[int] `outbox:"negative,cap=-1"`
	Word     axon.Outbox[int] `outbox:"word,cap=x"`
	Empty    axon.Outbox[int] `outbox:"empty,cap="`
	NoValue  axon.Outbox[int] `outbox:"novalue,cap"`
	Huge     axon.Outbox[int] `outbox:"huge,cap=1073741825"`
	Twice    axon.Outbox[int] `outbox:"twice,cap=2,cap=3"`
	Float    axon.Outbox[int] `outbox:"float,cap=1.5"`
	Spaced   axon.Outbox[int] `outbox:"spaced,cap= 4"`
}
