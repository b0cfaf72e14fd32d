package model

import (
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
)

// constraintOf returns the build constraint a file generated for source f
// must carry so that it builds exactly when f does: f's //go:build line,
// and the GOOS and GOARCH its name implies (x_linux.go, x_linux_arm64.go),
// which the generated name x_linux_kam.go no longer implies, and cgo for a
// file that imports "C" (go/build leaves it out when cgo is off).
func constraintOf(name string, f *ast.File) string {
	var parts []constraint.Expr
	for _, cg := range f.Comments {
		if cg.Pos() >= f.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) {
				if x, err := constraint.Parse(c.Text); err == nil {
					parts = append(parts, x)
				}
			}
		}
	}
	if x := nameConstraint(filepath.Base(name)); x != nil {
		parts = append(parts, x)
	}
	if importsC(name, f) { // a cgo file builds only with cgo
		parts = append(parts, tag("cgo"))
	}
	if len(parts) == 0 {
		return ""
	}
	expr := parts[0]
	for _, p := range parts[1:] {
		expr = &constraint.AndExpr{X: expr, Y: p}
	}
	return expr.String()
}

// nameConstraint is the constraint a file name's _GOOS, _GOARCH or
// _GOOS_GOARCH suffix implies, as go/build reads it.
func nameConstraint(base string) constraint.Expr {
	stem := strings.TrimSuffix(base, ".go")
	parts := strings.Split(stem, "_")
	n := len(parts)
	if n >= 3 && knownOS[parts[n-2]] && knownArch[parts[n-1]] {
		return &constraint.AndExpr{X: tag(parts[n-2]), Y: tag(parts[n-1])}
	}
	if n >= 2 {
		switch last := parts[n-1]; {
		case knownOS[last]:
			return tag(last)
		case knownArch[last]:
			return tag(last)
		}
	}
	return nil
}

func tag(name string) constraint.Expr { return &constraint.TagExpr{Tag: name} }

// The GOOS and GOARCH values go/build knows in file names.
var (
	knownOS = set("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos")

	knownArch = set("386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// importsC reports whether the source file name imports "C". The syntax
// go/packages hands over for a cgo file is cgo's rewrite of it, without
// that import: the file itself is read again.
func importsC(name string, f *ast.File) bool {
	for _, im := range f.Imports {
		if im.Path.Value == `"C"` {
			return true
		}
	}
	src, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
	if err != nil {
		return false
	}
	for _, im := range src.Imports {
		if im.Path.Value == `"C"` {
			return true
		}
	}
	return false
}
