package model

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

const otherSrc = `package other

type hidden int

type Shown int

type Box[T any] struct{ v T }

type A = hidden
type a = Shown

var (
	Struct struct{ x int }
	Iface  interface{ m() }
	Exported struct{ X int }
)
`

const localSrc = `package local

import "example.com/other"

type Local struct{ y int }

type List struct{ next *List }

func f() {
	type L int
	_ = L(0)
}

var _ other.Shown
`

// checkPackages type-checks other and local (which imports other) from
// source, and returns them and local's Info.
func checkPackages(t *testing.T) (other, local *types.Package, info *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	parse := func(src string) *ast.File {
		f, err := parser.ParseFile(fset, "x.go", src, 0)
		require.NoError(t, err)
		return f
	}
	other, err := (&types.Config{}).Check("example.com/other", fset, []*ast.File{parse(otherSrc)}, nil)
	require.NoError(t, err)
	info = &types.Info{Defs: map[*ast.Ident]types.Object{}}
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "example.com/other" {
			return other, nil
		}
		return importer.Default().Import(path)
	})
	local, err = (&types.Config{Importer: imp}).Check("example.com/local", fset, []*ast.File{parse(localSrc)}, info)
	require.NoError(t, err)
	return other, local, info
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// TestUnnameable: what generated code in package local cannot spell is
// found wherever it hides in a type, and named. Well-typed source rarely
// gets there (see testdata/unexported_alias), so the types are built here.
func TestUnnameable(t *testing.T) {
	other, local, info := checkPackages(t)
	b := &builder{pkg: &packages.Package{Types: local}}
	lookup := func(pkg *types.Package, name string) types.Type {
		t.Helper()
		obj := pkg.Scope().Lookup(name)
		require.NotNil(t, obj, name)
		return obj.Type()
	}
	hidden := lookup(other, "hidden")
	shown := lookup(other, "Shown")
	box := lookup(other, "Box").(*types.Named)
	boxOf := func(arg types.Type) types.Type {
		inst, err := types.Instantiate(nil, box, []types.Type{arg}, true)
		require.NoError(t, err)
		return inst
	}
	var localL types.Type
	for id, obj := range info.Defs {
		if id.Name == "L" {
			localL = obj.Type()
		}
	}
	require.NotNil(t, localL)
	param := func(t types.Type) *types.Tuple { return types.NewTuple(types.NewParam(token.NoPos, nil, "", t)) }

	cases := []struct {
		name string
		typ  types.Type
		want string
	}{
		{"basic", types.Typ[types.Int], ""},
		{"invalid", types.Typ[types.Invalid], "a type that does not resolve"},
		{"exported", shown, ""},
		{"local", lookup(local, "Local"), ""},
		{"recursive", lookup(local, "List"), ""},
		{"unexported of another package", hidden, "example.com/other.hidden"},
		{"pointer", types.NewPointer(hidden), "example.com/other.hidden"},
		{"slice", types.NewSlice(types.NewPointer(hidden)), "example.com/other.hidden"},
		{"array", types.NewArray(hidden, 3), "example.com/other.hidden"},
		{"map key", types.NewMap(hidden, shown), "example.com/other.hidden"},
		{"map value", types.NewMap(shown, hidden), "example.com/other.hidden"},
		{"chan", types.NewChan(types.RecvOnly, hidden), "example.com/other.hidden"},
		{"func param", types.NewSignatureType(nil, nil, nil, param(hidden), nil, false), "example.com/other.hidden"},
		{"func result", types.NewSignatureType(nil, nil, nil, nil, param(types.NewSlice(hidden)), false), "example.com/other.hidden"},
		{"func of nameable types", types.NewSignatureType(nil, nil, nil, param(shown), param(shown), false), ""},
		{"type argument", boxOf(hidden), "example.com/other.hidden"},
		{"generic instance", boxOf(shown), ""},
		{"exported alias of an unexported type", lookup(other, "A"), ""},
		{"unexported alias", lookup(other, "a"), "example.com/other.a"},
		{"struct with an unexported field of another package", lookup(other, "Struct"), "unexported field x of example.com/other"},
		{"struct with exported fields of another package", lookup(other, "Exported"), ""},
		{"interface with an unexported method of another package", lookup(other, "Iface"), "unexported method m of example.com/other"},
		{"local type of a function", localL, "local type L"},
		{"local type in a slice", types.NewSlice(localL), "local type L"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, b.unnameable(tc.typ), "type %s", tc.typ)
		})
	}
}
