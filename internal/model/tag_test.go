package model

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var tagCases = []struct {
	name  string
	value string
	dir   Dir
	want  BoxTag
	// err, if not empty, is the whole error: what is wrong and the fix.
	err string
}{
	{name: "name only", value: "inbox", dir: Inbox, want: BoxTag{Name: "inbox"}},
	{name: "outbox name", value: "outbox", dir: Outbox, want: BoxTag{Name: "outbox"}},
	{name: "dashes, digits and underscores", value: "my-box_2", dir: Inbox, want: BoxTag{Name: "my-box_2"}},
	{name: "capacity", value: "in,cap=8", dir: Inbox, want: BoxTag{Name: "in", Cap: 8}},
	{name: "capacity of an outbox", value: "out,cap=1", dir: Outbox, want: BoxTag{Name: "out", Cap: 1}},
	{name: "largest capacity", value: "out,cap=1073741824", dir: Outbox, want: BoxTag{Name: "out", Cap: 1 << 30}},
	{name: "leading zeros", value: "in,cap=007", dir: Inbox, want: BoxTag{Name: "in", Cap: 7}},
	{name: "plus sign", value: "in,cap=+3", dir: Inbox, want: BoxTag{Name: "in", Cap: 3}},
	{name: "last", value: "in,last", dir: Inbox, want: BoxTag{Name: "in", Last: true}},
	{name: "nohandler", value: "in,nohandler", dir: Inbox, want: BoxTag{Name: "in", NoHandler: true}},
	{name: "every option", value: "in,nohandler,cap=2,last", dir: Inbox, want: BoxTag{Name: "in", Cap: 2, Last: true, NoHandler: true}},
	{name: "spaces around name and options", value: " in , cap=2 , last ", dir: Inbox, want: BoxTag{Name: "in", Cap: 2, Last: true}},
	{name: "lines", value: "in,lines=4096", dir: Inbox, want: BoxTag{Name: "in", Lines: 4096}},
	{name: "lines named by a constant", value: "in,lines=maxLine,cap=4", dir: Inbox, want: BoxTag{Name: "in", Cap: 4, LinesConst: "maxLine"}},
	{name: "lines on an outbox", value: "out,lines=80", dir: Outbox, err: `option lines applies to inboxes only: remove it from the outbox tag`},
	{name: "lines without value", value: "in,lines", dir: Inbox, err: `option lines needs the longest line in bytes, as in inbox:"in,lines=4096"`},
	{name: "lines zero", value: "in,lines=0", dir: Inbox, err: `option lines=0: the longest line must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "lines with nohandler", value: "in,nohandler,lines=8", dir: Inbox, err: `options lines and nohandler together in inbox tag "in,nohandler,lines=8": lines cuts what the handler is given, and nohandler says there is none; keep one`},
	{name: "control is not last by the tag alone", value: "control", dir: Inbox, want: BoxTag{Name: "control"}},

	{name: "empty", value: "", dir: Inbox, err: `empty inbox name: write the Kamaelia box name, as in inbox:"inbox"`},
	{name: "blank", value: "  ", dir: Inbox, err: `empty inbox name: write the Kamaelia box name, as in inbox:"inbox"`},
	{name: "options without a name", value: ",cap=2", dir: Inbox, err: `empty inbox name: write the Kamaelia box name, as in inbox:"inbox"`},
	// The example of an outbox name is an outbox's: see
	// testdata/err_tag_empty_name.
	{name: "empty outbox name", value: "", dir: Outbox, err: `empty outbox name: write the Kamaelia box name, as in outbox:"outbox"`},
	{name: "space in name", value: "a b", dir: Outbox, err: `outbox name "a b": use letters, digits, '_' and '-' only`},
	{name: "dot in name", value: "a.b", dir: Inbox, err: `inbox name "a.b": use letters, digits, '_' and '-' only`},
	{name: "non-ASCII name", value: "boîte", dir: Inbox, err: `inbox name "boîte": use letters, digits, '_' and '-' only`},
	{name: "unknown option", value: "in,fast", dir: Inbox, err: `unknown option "fast" in inbox tag "in,fast": the options are cap=N, last, nohandler, lines=N`},
	{name: "unknown option of an outbox", value: "out,capacity=4", dir: Outbox, err: `unknown option "capacity=4" in outbox tag "out,capacity=4": the options are cap=N`},
	{name: "options are case-sensitive", value: "in,Last", dir: Inbox, err: `unknown option "Last" in inbox tag "in,Last": the options are cap=N, last, nohandler, lines=N`},
	{name: "zero capacity", value: "in,cap=0", dir: Inbox, err: `option cap=0: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "negative capacity", value: "in,cap=-1", dir: Inbox, err: `option cap=-1: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity too large", value: "in,cap=1073741825", dir: Inbox, err: `option cap=1073741825: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity overflows int", value: "in,cap=99999999999999999999", dir: Inbox, err: `option cap=99999999999999999999: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity named by a constant", value: "in,cap=x", dir: Inbox, want: BoxTag{Name: "in", CapConst: "x"}},
	{name: "capacity named by an imported constant", value: "out,cap=pkg.Size", dir: Outbox, want: BoxTag{Name: "out", CapConst: "pkg.Size"}},
	{name: "capacity not a number nor a name", value: "in,cap=x+1", dir: Inbox, err: `option cap=x+1: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity named by an unexported constant of a package", value: "in,cap=pkg.size", dir: Inbox, err: `option cap=pkg.size: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity named by the blank identifier", value: "in,cap=_", dir: Inbox, err: `option cap=_: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity named three deep", value: "in,cap=a.B.C", dir: Inbox, err: `option cap=a.B.C: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity not whole", value: "in,cap=1.5", dir: Inbox, err: `option cap=1.5: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity empty", value: "in,cap=", dir: Inbox, err: `option cap=: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant`},
	{name: "capacity without value", value: "in,cap", dir: Inbox, err: `option cap needs a value, as in inbox:"in,cap=16"`},
	{name: "capacity twice", value: "in,cap=2,cap=3", dir: Inbox, err: `option "cap" given twice in inbox tag "in,cap=2,cap=3": keep one`},
	{name: "last twice", value: "in,last,last", dir: Inbox, err: `option "last" given twice in inbox tag "in,last,last": keep one`},
	{name: "last with a value", value: "in,last=true", dir: Inbox, err: `option last takes no value: write inbox:"in,last"`},
	{name: "nohandler with a value", value: "in,nohandler=1", dir: Inbox, err: `option nohandler takes no value: write inbox:"in,nohandler"`},
	{name: "last on an outbox", value: "out,last", dir: Outbox, err: `option last applies to inboxes only: remove it from the outbox tag`},
	{name: "nohandler on an outbox", value: "out,nohandler", dir: Outbox, err: `option nohandler applies to inboxes only: remove it from the outbox tag`},
	{name: "empty option", value: "in,,last", dir: Inbox, err: `empty option in inbox tag "in,,last": remove the extra comma`},
	{name: "trailing comma", value: "in,", dir: Inbox, err: `empty option in inbox tag "in,": remove the extra comma`},
}

func TestParseBoxTag(t *testing.T) {
	for _, tc := range tagCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBoxTag(tc.value, tc.dir)
			if tc.err != "" {
				require.Error(t, err)
				assert.Equal(t, tc.err, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseBoxTag: ParseBoxTag never panics; a tag it accepts has a valid
// name, a capacity it can use, and options only an inbox may have only on
// an inbox; a tag it rejects says why in one line.
func FuzzParseBoxTag(f *testing.F) {
	for _, tc := range tagCases {
		f.Add(tc.value, tc.dir == Outbox)
	}
	f.Fuzz(func(t *testing.T, value string, outbox bool) {
		dir := Inbox
		if outbox {
			dir = Outbox
		}
		tag, err := ParseBoxTag(value, dir)
		if err != nil {
			msg := err.Error()
			if msg == "" || strings.Contains(msg, "\n") && !strings.Contains(value, "\n") {
				t.Fatalf("ParseBoxTag(%q, %s): bad error text %q", value, dir, msg)
			}
			return
		}
		if tag.Name == "" || !validName(tag.Name) {
			t.Fatalf("ParseBoxTag(%q, %s) accepted the name %q", value, dir, tag.Name)
		}
		if tag.Cap < 0 || tag.Cap > 1<<30 || (tag.CapConst != "" && (tag.Cap != 0 || !isConstName(tag.CapConst))) {
			t.Fatalf("ParseBoxTag(%q, %s): capacity %d", value, dir, tag.Cap)
		}
		if tag.Lines < 0 || tag.Lines > 1<<30 || (tag.LinesConst != "" && (tag.Lines != 0 || !isConstName(tag.LinesConst))) {
			t.Fatalf("ParseBoxTag(%q, %s): lines %d %q", value, dir, tag.Lines, tag.LinesConst)
		}
		if dir == Outbox && (tag.Last || tag.NoHandler || tag.Lines != 0 || tag.LinesConst != "") {
			t.Fatalf("ParseBoxTag(%q, outbox) gave an outbox inbox options: %+v", value, tag)
		}
		// What was accepted parses again, written back, to the same tag.
		again, err := ParseBoxTag(formatBoxTag(tag), dir)
		if err != nil || again != tag {
			t.Fatalf("ParseBoxTag(%q, %s) = %+v, but its canonical form %q gives %+v, %v", value, dir, tag, formatBoxTag(tag), again, err)
		}
	})
}

// formatBoxTag writes a tag back in canonical form.
func formatBoxTag(t BoxTag) string {
	s := t.Name
	if t.Cap != 0 {
		s += ",cap=" + strconv.Itoa(t.Cap)
	}
	if t.CapConst != "" {
		s += ",cap=" + t.CapConst
	}
	if t.Last {
		s += ",last"
	}
	if t.NoHandler {
		s += ",nohandler"
	}
	if t.Lines != 0 {
		s += ",lines=" + strconv.Itoa(t.Lines)
	}
	if t.LinesConst != "" {
		s += ",lines=" + t.LinesConst
	}
	return s
}
