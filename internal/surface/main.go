// Command surface counts what a package shows its users: the exported
// identifiers of each package (constants, variables, functions, types,
// the exported methods and struct fields of exported types). It is how the
// runtime's public surface is measured before and after a change:
//
//	go run ./internal/surface ./runtime/...
package main

import (
	"fmt"
	"go/types"
	"os"
	"sort"

	"golang.org/x/tools/go/packages"
)

func main() {
	patterns := os.Args[1:]
	if len(patterns) == 0 {
		patterns = []string{"./runtime/..."}
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes}, patterns...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "surface:", err)
		os.Exit(1)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].PkgPath < pkgs[j].PkgPath })
	total := 0
	for _, p := range pkgs {
		if p.Types == nil || isInternal(p.PkgPath) {
			continue
		}
		n := count(p.Types)
		total += n
		fmt.Printf("%4d %s\n", n, p.PkgPath)
	}
	fmt.Printf("%4d total\n", total)
}

func isInternal(path string) bool {
	for i := 0; i+len("/internal") <= len(path); i++ {
		if path[i:i+len("/internal")] == "/internal" && (i+len("/internal") == len(path) || path[i+len("/internal")] == '/') {
			return true
		}
	}
	return false
}

// count returns how many exported identifiers pkg declares.
func count(pkg *types.Package) int {
	n := 0
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		n++
		tn, ok := obj.(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok {
			continue
		}
		for m := range named.Methods() {
			if m.Exported() {
				n++
			}
		}
		if st, ok := named.Underlying().(*types.Struct); ok {
			for f := range st.Fields() {
				if f.Exported() && !f.Embedded() {
					n++
				}
			}
		}
		if it, ok := named.Underlying().(*types.Interface); ok {
			for m := range it.ExplicitMethods() {
				if m.Exported() {
					n++
				}
			}
		}
	}
	return n
}
