package emit

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typesSrc declares, as aliases t_<name>, the types TestTyperSpelling
// spells, and a generic type G whose constraints TestTyperConstraints
// spells. It imports only "unsafe" and example.com/x/v2 (package x), which
// the test provides.
const typesSrc = `package p

import (
	"unsafe"

	"example.com/x/v2"
)

type Pair[K comparable, V any] struct {
	K K
	V V
}

type Vec[T any] = []T

type Point struct{ X int }

type PA = Point

type Stringer interface{ String() string }

type G[A any, B comparable, C ~int | ~string, D interface{ ~[]A }, E interface{ String() string }, F Stringer, P interface{ *int | *string }, Q x.Constraint, R ~[]x.T] struct{}

type (
	t_basic      = int
	t_bytes      = []byte
	t_rune       = rune
	t_any        = any
	t_error      = error
	t_map        = map[string][]int
	t_chan       = chan int
	t_send       = chan<- int
	t_recv       = <-chan int
	t_sendrecv   = chan<- <-chan int
	t_recvrecv   = <-chan <-chan int
	t_sendchan   = chan<- chan int
	t_chanrecv   = chan (<-chan int)
	t_chanrecv2  = chan (<-chan (<-chan int))
	t_chansend   = chan chan<- int
	t_func       = func(int, string) (bool, error)
	t_named      = func(a, b int) (sum int, err error)
	t_blank      = func(_ int, _ ...string)
	t_onefunc    = func() int
	t_funcfunc   = func(func() error) func() error
	t_struct     = struct{ A int; B string "json:\"b\"" }
	t_backquote  = struct{ A int "k:\"` + "`" + `\"" }
	t_empty      = struct{}
	t_embedded   = struct{ Point; *Pair[int, int] }
	t_iface      = interface{ String() string }
	t_ifaceembed = interface{ Stringer; Close() error }
	t_unsafe     = unsafe.Pointer
	t_generic    = Pair[PA, map[Point]Vec[*Point]]
	t_nested     = [2][3]chan<- func() error
	t_alias      = PA
	t_genalias   = Vec[Point]
	t_imported   = []x.T
	t_impgeneric = x.Box[x.T]
	t_impalias   = x.Alias
)
`

const xSrc = `package x

type T int

type Box[E any] struct{ e E }

type Alias = T

type Constraint interface{ ~int | ~uint }
`

// checkTypes type-checks typesSrc, with package x from xSrc.
func checkTypes(t *testing.T) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	parse := func(name, src string) *ast.File {
		f, err := parser.ParseFile(fset, name, src, 0)
		require.NoError(t, err)
		return f
	}
	x, err := (&types.Config{}).Check("example.com/x/v2", fset, []*ast.File{parse("x.go", xSrc)}, nil)
	require.NoError(t, err)
	imp := importerFunc(func(path string) (*types.Package, error) {
		if path == "unsafe" {
			return types.Unsafe, nil
		}
		return x, nil
	})
	p, err := (&types.Config{Importer: imp}).Check("example.com/p", fset, []*ast.File{parse("p.go", typesSrc)}, nil)
	require.NoError(t, err)
	return p
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// render renders decl in a file of package p that imports what ty named,
// as File does, and returns the formatted declaration.
func render(t *testing.T, ty *typer, decl *jen.Statement) string {
	t.Helper()
	f := jen.NewFilePathName("example.com/p", "p")
	for path, name := range ty.imports {
		f.ImportName(path, name)
	}
	f.Add(decl)
	var buf bytes.Buffer
	require.NoError(t, f.Render(&buf), "%#v", decl)
	out := buf.String()
	i := strings.Index(out, "\n"+decl.GoString()[:4])
	require.GreaterOrEqual(t, i, 0, out)
	return strings.TrimSpace(out[i:])
}

// TestTyperSpelling: each type is spelled so that the compiler reads the
// same type back, and the way gofmt would write it.
func TestTyperSpelling(t *testing.T) {
	pkg := checkTypes(t)
	cases := []struct{ alias, want string }{
		{"basic", "int"},
		{"bytes", "[]byte"},
		{"rune", "rune"},
		{"any", "any"},
		{"error", "error"},
		{"map", "map[string][]int"},
		{"chan", "chan int"},
		{"send", "chan<- int"},
		{"recv", "<-chan int"},
		{"sendrecv", "chan<- <-chan int"},
		{"recvrecv", "<-chan <-chan int"},
		{"sendchan", "chan<- chan int"},
		// A bidirectional channel of receive-only channels needs
		// parentheses: "chan <-chan int" is read as chan<- (chan int).
		{"chanrecv", "chan (<-chan int)"},
		{"chanrecv2", "chan (<-chan <-chan int)"},
		{"chansend", "chan chan<- int"},
		{"func", "func(int, string) (bool, error)"},
		{"named", "func(a int, b int) (sum int, err error)"},
		{"blank", "func(int, ...string)"},
		{"onefunc", "func() int"},
		{"funcfunc", "func(func() error) func() error"},
		{"struct", "struct {\n\tA int\n\tB string `json:\"b\"`\n}"},
		{"backquote", "struct {\n\tA int \"k:\\\"`\\\"\"\n}"},
		{"empty", "struct{}"},
		{"embedded", "struct {\n\tPoint\n\t*Pair[int, int]\n}"},
		{"iface", "interface {\n\tString() string\n}"},
		{"ifaceembed", "interface {\n\tStringer\n\tClose() error\n}"},
		{"unsafe", "unsafe.Pointer"},
		{"generic", "Pair[PA, map[Point]Vec[*Point]]"},
		{"nested", "[2][3]chan<- func() error"},
		{"alias", "PA"},
		{"genalias", "Vec[Point]"},
		{"imported", "[]x.T"},
		{"impgeneric", "x.Box[x.T]"},
		{"impalias", "x.Alias"},
	}
	for _, tc := range cases {
		t.Run(tc.alias, func(t *testing.T) {
			obj := pkg.Scope().Lookup("t_" + tc.alias)
			require.NotNil(t, obj)
			typ := obj.Type().(*types.Alias).Rhs()
			ty := newTyper(pkg)
			got := render(t, ty, jen.Type().Id("T").Op("=").Add(ty.typ(typ)))
			assert.Equal(t, "type T = "+tc.want, got)
		})
	}
}

// TestTyperImports: the typer records each package it names, under the
// package's own name, not the last element of its path.
func TestTyperImports(t *testing.T) {
	pkg := checkTypes(t)
	ty := newTyper(pkg)
	for _, name := range []string{"t_imported", "t_unsafe", "t_generic"} {
		ty.typ(pkg.Scope().Lookup(name).Type().(*types.Alias).Rhs())
	}
	assert.Equal(t, map[string]string{"example.com/x/v2": "x", "unsafe": "unsafe"}, ty.imports)
}

// TestTyperConstraints: type parameter lists are spelled with their
// constraints: named ones by name, implicit ones by their union.
func TestTyperConstraints(t *testing.T) {
	pkg := checkTypes(t)
	g := pkg.Scope().Lookup("G").Type().(*types.Named)
	var tps []*types.TypeParam
	for i := range g.TypeParams().Len() {
		tps = append(tps, g.TypeParams().At(i))
	}
	ty := newTyper(pkg)
	got := render(t, ty, jen.Func().Id("f").Types(ty.typeParams(tps)...).Params().Block())
	assert.Equal(t, "func f[A any, B comparable, C ~int | ~string, D interface {\n\t~[]A\n}, E interface {\n\tString() string\n}, F Stringer, P interface {\n\t*int | *string\n}, Q x.Constraint, R ~[]x.T]() {\n}", got)
	assert.Equal(t, "type T = G[A, B, C, D, E, F, P, Q, R]", render(t, ty, jen.Type().Id("T").Op("=").Id("G").Index(jen.List(typeArgs(tps)...))))
}

func TestOutputName(t *testing.T) {
	for src, want := range map[string]string{
		"/m/shout.go":      "/m/shout_kam.go",
		"shout.go":         "shout_kam.go",
		"/m/a.b.go":        "/m/a.b_kam.go",
		"/m/sock_linux.go": "/m/sock_linux_kam.go",
	} {
		assert.Equal(t, want, OutputName(src), src)
	}
}
