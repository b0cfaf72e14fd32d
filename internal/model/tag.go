package model

import (
	"fmt"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// BoxTag is a parsed inbox or outbox tag: `inbox:"NAME[,OPTION...]"`.
type BoxTag struct {
	Name string
	Cap  int // cap=N: the box's capacity
	// CapConst is the constant cap= names instead of a number: "name" (of
	// the package) or "pkg.Name" (of an imported package). The model
	// resolves it; Cap is then 0.
	CapConst  string
	Last      bool // last: served after the other inboxes (inbox only)
	NoHandler bool // nohandler: the dispatch does not serve it (inbox only)
	// Lines is the longest line of lines=N (inbox only): the inbox's bytes
	// are cut into lines, and its handler is given one line at a time.
	Lines int
	// LinesConst is the constant lines= names instead of a number.
	LinesConst string
}

// ParseBoxTag parses the value of an inbox or outbox tag. Options:
//
//	cap=N      the box's capacity, 1 ≤ N ≤ 2³⁰ (default: axon.DefaultCapacity);
//	           N is a number or the name of an integer constant
//	last       inbox only: serve it after the other inboxes are empty
//	           (implied for an inbox named "control")
//	nohandler  inbox only: the generated dispatch does not serve it
//	lines=N    inbox only: the handler is given lines of at most N bytes
//	           (N as for cap), not pieces of the byte stream
func ParseBoxTag(value string, dir Dir) (BoxTag, error) {
	parts := strings.Split(value, ",")
	t := BoxTag{Name: strings.TrimSpace(parts[0])}
	if t.Name == "" {
		return t, fmt.Errorf("empty %s name: write the Kamaelia box name, as in %s:%q", dir, dir, dir.String())
	}
	if !validName(t.Name) {
		return t, fmt.Errorf("%s name %q: use letters, digits, '_' and '-' only", dir, t.Name)
	}
	seen := map[string]bool{}
	for _, raw := range parts[1:] {
		opt := strings.TrimSpace(raw)
		key, val, hasVal := strings.Cut(opt, "=")
		if seen[key] {
			return t, fmt.Errorf("option %q given twice in %s tag %q: keep one", key, dir, value)
		}
		seen[key] = true
		switch {
		case key == "cap" && hasVal:
			n, name, err := parseCount(key, val, "capacity")
			if err != nil {
				return t, err
			}
			t.Cap, t.CapConst = n, name
		case key == "cap":
			return t, fmt.Errorf("option cap needs a value, as in %s:\"%s,cap=16\"", dir, t.Name)
		case key == "lines" && dir == Outbox:
			return t, fmt.Errorf("option lines applies to inboxes only: remove it from the outbox tag")
		case key == "lines" && hasVal:
			n, name, err := parseCount(key, val, "longest line")
			if err != nil {
				return t, err
			}
			t.Lines, t.LinesConst = n, name
		case key == "lines":
			return t, fmt.Errorf("option lines needs the longest line in bytes, as in inbox:\"%s,lines=4096\"", t.Name)
		case (key == "last" || key == "nohandler") && hasVal:
			return t, fmt.Errorf("option %s takes no value: write %s:\"%s,%s\"", key, dir, t.Name, key)
		case key == "last" && dir == Inbox:
			t.Last = true
		case key == "nohandler" && dir == Inbox:
			t.NoHandler = true
		case key == "last" || key == "nohandler":
			return t, fmt.Errorf("option %s applies to inboxes only: remove it from the outbox tag", key)
		case key == "":
			return t, fmt.Errorf("empty option in %s tag %q: remove the extra comma", dir, value)
		default:
			return t, fmt.Errorf("unknown option %q in %s tag %q: the options are %s", opt, dir, value, optionsFor(dir))
		}
	}
	if t.NoHandler && (t.Lines != 0 || t.LinesConst != "") {
		return t, fmt.Errorf("options lines and nohandler together in inbox tag %q: lines cuts what the handler is given, and nohandler says there is none; keep one", value)
	}
	return t, nil
}

// maxCount is the largest number an option such as cap= takes.
const maxCount = 1 << 30

// parseCount reads the value of an option that counts (cap=): a whole
// number from 1 to maxCount, or the name of a constant, "name" or
// "pkg.Name", returned for the model to resolve.
func parseCount(key, val, what string) (int, string, error) {
	if isConstName(val) {
		return 0, val, nil
	}
	n, err := strconv.Atoi(val)
	if err != nil || n <= 0 || n > maxCount {
		return 0, "", fmt.Errorf("option %s=%s: the %s must be a whole number from 1 to %d, or the name of an integer constant", key, val, what, maxCount)
	}
	return n, "", nil
}

// isConstName reports whether s names a constant as a tag may: an
// identifier, or an identifier qualified by a package name.
func isConstName(s string) bool {
	pkg, name, qualified := strings.Cut(s, ".")
	if !qualified {
		return token.IsIdentifier(s) && s != "_"
	}
	return token.IsIdentifier(pkg) && pkg != "_" && token.IsExported(name) && token.IsIdentifier(name)
}

func optionsFor(d Dir) string {
	if d == Inbox {
		return "cap=N, last, nohandler, lines=N"
	}
	return "cap=N"
}

func validName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// tagValue unquotes a struct tag literal as written in the source.
func tagValue(lit string) string {
	s, err := strconv.Unquote(lit)
	if err != nil {
		return ""
	}
	return s
}

func lookupTag(tag, key string) (string, bool) {
	return reflect.StructTag(tag).Lookup(key)
}
