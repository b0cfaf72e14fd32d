// Package load loads the packages kamgen generates code for, the way
// stringer does: syntax and types for the named packages, types of their
// dependencies from export data. Type errors do not stop it: code that calls
// a constructor kamgen has not generated yet must not stop generation.
package load

import (
	"fmt"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Mode is what kamgen needs of each package.
const Mode = packages.NeedName | packages.NeedTypes | packages.NeedTypesInfo |
	packages.NeedSyntax | packages.NeedFiles

// Packages loads the packages matching patterns, in one call. dir is the
// directory patterns are relative to ("" for the current one); tags are
// build tags. A pattern that matches nothing, or a package that cannot be
// listed at all, is an error; type errors inside a package are not.
func Packages(dir string, tags []string, patterns ...string) ([]*packages.Package, error) {
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	cfg := &packages.Config{Mode: Mode, Dir: dir, Tests: false}
	if len(tags) > 0 {
		cfg.BuildFlags = []string{"-tags=" + strings.Join(tags, ",")}
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", strings.Join(patterns, " "), err)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	var out []*packages.Package
	for _, p := range pkgs {
		if p.Types == nil || len(p.Syntax) == 0 {
			for _, e := range p.Errors {
				if e.Kind == packages.ListError {
					return nil, fmt.Errorf("%s", e.Error())
				}
			}
			continue
		}
		out = append(out, p)
	}
	return out, nil
}
