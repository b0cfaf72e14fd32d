// Package load loads the packages kamgen generates code for, the way
// stringer does: syntax and types for the named packages, types of their
// dependencies from export data. Type errors do not stop it: code that calls
// a constructor kamgen has not generated yet must not stop generation.
package load

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Mode is what kamgen needs of each package.
const Mode = packages.NeedName | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedSyntax | packages.NeedFiles

// Packages loads the packages matching patterns, in one call. dir is the
// directory patterns are relative to ("" for the current one); tags are
// build tags. A pattern that matches nothing is an error. Type errors
// inside a package are not; but code that does not parse (a syntax error,
// a file without its package clause) is: its errors come back in bad, each
// at its file:line:col, and then nothing should be written, since what
// kamgen would read of such a package is not what the user wrote.
func Packages(dir string, tags []string, patterns ...string) (pkgs []*packages.Package, bad []packages.Error, err error) {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	cfg := &packages.Config{Mode: Mode, Dir: dir, Tests: false}
	if len(tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(tags, ",")}
	}
	all, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading %s: %w", strings.Join(patterns, " "), err)
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	seen := map[string]bool{}
	for _, p := range all {
		// The parser's own errors say best what is wrong; go list's
		// repeat them, with the type errors that follow from them.
		parsed := !slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return e.Kind == packages.ParseError })
		for _, e := range p.Errors {
			if parsed {
				if e.Kind == packages.ListError && (p.Types == nil || len(p.Syntax) == 0) {
					return nil, nil, fmt.Errorf("%s", e.Error()) // no such package, say
				}
				continue
			}
			if k := e.Pos + e.Msg; e.Kind == packages.ParseError && !seen[k] {
				seen[k] = true
				bad = append(bad, e)
			}
		}
		if p.Types == nil || len(p.Syntax) == 0 {
			continue
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, bad, nil
}
