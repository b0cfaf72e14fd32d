// Package emit writes the Go code for components: constructors, dispatch,
// standard-box accessors, connection setters, box tables
// and the compile-time guard. It reads only the model, and writes nothing to
// disk: it returns the bytes of each file.
package emit

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
	"golang.org/x/tools/imports"

	"github.com/kamgen/kamgen/internal/model"
)

const axon = model.AxonPath

// framingPath is the import path of the runtime's framers.
const framingPath = "github.com/kamgen/kamgen/runtime/framing"

// OutputName returns the name of the file generated for a source file.
func OutputName(source string) string {
	return strings.TrimSuffix(source, ".go") + model.GeneratedSuffix
}

// File returns the generated file for the components declared in one
// source file of pkg: deterministic, gofmt-clean, imports grouped as
// goimports does.
func File(pkg *model.Package, source string, comps []*model.Component) ([]byte, error) {
	f := jen.NewFilePathName(pkg.Path, pkg.Name)
	f.NoFormat = true // imports.Process below formats, once
	header := model.Header
	if expr := pkg.Constraints[source]; expr != "" {
		// The generated file builds exactly when its source does.
		header += "\n\n//go:build " + expr
	}
	f.HeaderComment(header)
	ty := newTyper(pkg.Types)
	for i, c := range comps {
		if i > 0 {
			f.Line()
		}
		component(f, ty, pkg, c)
	}
	ty.imports[axon] = "axon"
	importNames(f, pkg, ty.imports)
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering code for %s: %w", filepath.Base(source), err)
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting code for %s: %w", filepath.Base(source), err)
	}
	return groupImports(OutputName(source), out)
}

// groupImports groups the import block as goimports does (standard library
// first). Only the file's head goes through imports.Process: formatting the
// whole file again would double the cost on a large package.
func groupImports(name string, src []byte) ([]byte, error) {
	end := importsEnd(src)
	if end < 0 {
		return src, nil
	}
	head, err := imports.Process(name, src[:end], &imports.Options{
		FormatOnly: true, Comments: true, TabIndent: true, TabWidth: 8,
	})
	if err != nil {
		return nil, fmt.Errorf("grouping the imports of %s: %w", filepath.Base(name), err)
	}
	head = append(bytes.TrimRight(head, "\n"), '\n', '\n')
	return append(head, src[end:]...), nil
}

// importsEnd returns the offset just past the import declarations and the
// blank line after them, or -1 if src has no import.
func importsEnd(src []byte) int {
	i := bytes.Index(src, []byte("\nimport "))
	if i < 0 {
		return -1
	}
	rest := src[i+1:]
	var stop int
	if bytes.HasPrefix(rest, []byte("import (")) {
		stop = bytes.Index(rest, []byte("\n)\n"))
		if stop < 0 {
			return -1
		}
		stop += len("\n)\n")
	} else {
		stop = bytes.IndexByte(rest, '\n') + 1
	}
	end := i + 1 + stop
	if end < len(src) && src[end] == '\n' {
		end++
	}
	return end
}

// importNames gives every imported package a name in the file: its own,
// unless the package already declares that name or another import has it,
// in which case the first free name1, name2, ...
func importNames(f *jen.File, pkg *model.Package, imports map[string]string) {
	taken := map[string]bool{}
	for _, n := range pkg.Types.Scope().Names() {
		taken[n] = true
	}
	paths := make([]string, 0, len(imports))
	for p := range imports {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, path := range paths {
		name := imports[path]
		alias := name
		for i := 1; taken[alias]; i++ {
			alias = fmt.Sprintf("%s%d", name, i)
		}
		taken[alias] = true
		if alias == name {
			f.ImportName(path, name)
		} else {
			f.ImportAlias(path, alias)
		}
	}
}

// gen holds what every declaration of one component needs.
type gen struct {
	f    *jen.File
	ty   *typer
	pkg  *model.Package
	c    *model.Component
	recv string // receiver name
	turn string // the Turn parameter's name
}

func component(f *jen.File, ty *typer, pkg *model.Package, c *model.Component) {
	g := &gen{f: f, ty: ty, pkg: pkg, c: c, recv: "c", turn: "t"}
	for _, tp := range c.TypeParams {
		switch tp.Obj().Name() {
		case g.recv:
			g.recv = "kc"
		case g.turn:
			g.turn = "kt"
		}
	}
	g.guard()
	if !c.UserNew {
		g.constructor()
	}
	g.initBoxes()
	if !c.Threaded && len(c.TypeParams) == 0 {
		g.f.Commentf("%s keeps the hooks of every %s, made once.", model.HooksVar(c), c.Name)
		g.f.Var().Id(model.HooksVar(c)).Qual(axon, "Bound").Index(g.self())
		g.f.Line()
	}
	if in, out, ok := c.Standard(); ok {
		g.standard(in, out)
	}
	for _, b := range c.Boxes {
		if b.Std != "" {
			g.optional(b)
		}
	}
	if len(c.Conn) > 0 {
		g.setConn()
	}
	g.boxTable()
}

// self is the component's type as used in its own methods: C or C[T, U].
func (g *gen) self() *jen.Statement {
	s := jen.Id(g.c.Name)
	if len(g.c.TypeParams) > 0 {
		s = s.Index(jen.List(typeArgs(g.c.TypeParams)...))
	}
	return s
}

func (g *gen) receiver() *jen.Statement {
	return jen.Params(jen.Id(g.recv).Op("*").Add(g.self()))
}

func (g *gen) typeParams(s *jen.Statement) *jen.Statement {
	if len(g.c.TypeParams) == 0 {
		return s
	}
	return s.Types(g.ty.typeParams(g.c.TypeParams)...)
}

func (g *gen) constructor() {
	name := "New" + g.c.Name
	g.f.Commentf("%s returns a new %s with every box set up.", name, g.c.Name)
	g.f.Add(g.typeParams(jen.Func().Id(name))).Params().Op("*").Add(g.self()).Block(
		jen.Return(jen.New(g.self()).Dot("initBoxes").Call()),
	)
	g.f.Line()
}

func (g *gen) initBoxes() {
	g.f.Commentf("initBoxes sets up every box of %s, binds its hooks and returns %s.", g.recv, g.recv)
	g.f.Commentf("New%s calls it; so must a New%s of your own, before activation.", g.c.Name, g.c.Name)
	body := make([]jen.Code, 0, len(g.c.Boxes)+1)
	for _, b := range g.c.Boxes {
		body = append(body, jen.Id(g.recv).Dot(b.Field).Dot("Init").Call(
			jen.Op("&").Id(g.recv).Dot(g.c.BaseField), jen.Lit(b.Name), g.capacity(b),
		))
		if b.Lines != 0 {
			g.ty.imports[framingPath] = "framing"
			body = append(body, jen.Qual(framingPath, "Attach").Call(
				jen.Op("&").Id(g.recv).Dot(b.Field), jen.Qual(framingPath, "Lines").Call(g.count(b.Lines, b.LinesConst)),
			))
		}
	}
	if !g.c.Threaded {
		bound := jen.Op("&").Id(model.HooksVar(g.c))
		if len(g.c.TypeParams) > 0 {
			bound = jen.New(jen.Qual(axon, "Bound").Index(g.self())) // a variable cannot have type parameters
		}
		hooks := jen.Qual(axon, "Hooks").Index(g.self())
		body = append(body, jen.Qual(axon, "Bind").Call(jen.Id(g.recv), jen.Op("&").Id(g.recv).Dot(g.c.BaseField), bound,
			jen.Func().Params().Add(hooks.Clone()).Block(jen.Return(g.hooks()))))
	}
	body = append(body, jen.Return(jen.Id(g.recv)))
	g.f.Func().Add(g.receiver()).Id("initBoxes").Params().Op("*").Add(g.self()).Block(body...)
	g.f.Line()
}

// capacity is a box's capacity as the generated code passes it: the
// number from the tag, or the constant the tag names (converted to int
// when it has another type), so that a new value of the constant needs no
// regeneration.
func (g *gen) capacity(b model.Box) *jen.Statement { return g.count(b.Cap, b.CapConst) }

// count is a number a tag option gives: n, or the constant k when the tag
// names one.
func (g *gen) count(n int, k *types.Const) *jen.Statement {
	if k == nil {
		return jen.Lit(n)
	}
	name := g.ty.qual(k.Pkg(), k.Name())
	if basic, ok := k.Type().(*types.Basic); ok && (basic.Kind() == types.UntypedInt || basic.Kind() == types.UntypedRune || basic.Kind() == types.Int) {
		return name
	}
	return jen.Int().Parens(name)
}

// hooks is the component's axon.Hooks: its dispatch, which hands each
// inbox's waiting messages to its handler, and its hook methods.
func (g *gen) hooks() *jen.Statement {
	fields := jen.Dict{
		jen.Id("Dispatch"): jen.Func().Params(jen.Id(g.recv).Op("*").Add(g.self()), jen.Id(g.turn).Op("*").Qual(axon, "Turn")).Block(g.dispatch()...),
	}
	for _, h := range g.c.Hooks {
		fields[jen.Id(h.Kind)] = jen.Parens(jen.Op("*").Add(g.self())).Dot(h.Method)
	}
	return jen.Qual(axon, "Hooks").Index(g.self()).Values(fields)
}

func (g *gen) dispatch() []jen.Code {
	var body []jen.Code
	serve := func(b model.Box, fn string) {
		handler := jen.Id(g.recv).Dot(b.Handler)
		switch {
		case b.PassOn != "":
			handler = jen.Func().Params(jen.Id("sig").Qual(axon, "Signal")).Block(
				jen.Id(g.recv).Dot(b.PassOn).Dot("Send").Call(jen.Id("sig")),
				jen.Id(g.recv).Dot("Stop").Call(),
			)
		case b.HandlerErr:
			handler = jen.Func().Params(jen.Id("m").Add(g.ty.typ(b.Msg))).Block(
				jen.If(jen.Err().Op(":=").Id(g.recv).Dot(b.Handler).Call(jen.Id("m")), jen.Err().Op("!=").Nil()).Block(
					jen.Id(g.recv).Dot("Fail").Call(jen.Err()),
				),
			)
		}
		body = append(body, jen.Qual(axon, fn).Call(jen.Id(g.turn), jen.Op("&").Id(g.recv).Dot(b.Field), handler))
	}
	for _, last := range []bool{false, true} {
		for _, b := range g.c.Inboxes() {
			if b.NoHandler || b.Last != last {
				continue
			}
			fn := "Serve"
			switch {
			case b.FrameErr:
				fn = "ServeFramesErr"
			case b.Lines != 0:
				fn = "ServeFrames"
			case last:
				fn = "ServeLast"
			}
			serve(b, fn)
		}
	}
	return body
}

func (g *gen) standard(in, out types.Type) {
	accessors := []struct {
		method, box string
		dir         model.Dir
		typ         jen.Code
	}{
		{"StdInbox", "inbox", model.Inbox, jen.Qual(axon, "Inbox").Index(g.ty.typ(in))},
		{"StdControl", "control", model.Inbox, jen.Qual(axon, "Inbox").Index(jen.Qual(axon, "Signal"))},
		{"StdOutbox", "outbox", model.Outbox, jen.Qual(axon, "Outbox").Index(g.ty.typ(out))},
		{"StdSignal", "signal", model.Outbox, jen.Qual(axon, "Outbox").Index(jen.Qual(axon, "Signal"))},
	}
	for i, a := range accessors {
		b, _ := g.c.Box(a.dir, a.box)
		if i == 0 {
			g.f.Commentf("%s returns the %q inbox. With StdControl, StdOutbox and", a.method, a.box)
			g.f.Commentf("StdSignal it makes %s an axon.Stage, which the chassis link.", g.c.Name)
		} else {
			g.f.Commentf("%s returns the %q %s.", a.method, a.box, a.dir)
		}
		g.f.Func().Add(g.receiver()).Id(a.method).Params().Op("*").Add(a.typ).Block(
			jen.Return(jen.Op("&").Id(g.recv).Dot(b.Field)),
		)
		g.f.Line()
	}
}

// optional writes the accessor of an optional standard box, which the
// chassis look for (chassis.ServerSignaller, chassis.TLSUpgrader).
func (g *gen) optional(b model.Box) {
	g.f.Commentf("%s returns the %q %s.", b.Std, b.Name, b.Dir)
	for _, line := range model.OptionalDoc(b.Std) {
		g.f.Comment(line)
	}
	g.f.Func().Add(g.receiver()).Id(b.Std).Params().Op("*").Add(g.boxType(b)).Block(
		jen.Return(jen.Op("&").Id(g.recv).Dot(b.Field)),
	)
	g.f.Line()
}

func (g *gen) setConn() {
	g.f.Commentf("SetConn fills the fields of %s tagged with connection facts.", g.recv)
	g.f.Comment("chassis.Handler calls it for each connection; so does a factory of")
	g.f.Comment("your own.")
	var body []jen.Code
	for _, cf := range g.c.Conn {
		body = append(body, jen.Id(g.recv).Dot(cf.Field).Op("=").Id(cf.Fact))
	}
	g.f.Func().Add(g.receiver()).Id("SetConn").Params(
		jen.Id("peer").String(), jen.Id("peerport").Int(), jen.Id("localip").String(), jen.Id("localport").Int(),
	).Block(body...)
	g.f.Line()
}

func (g *gen) boxTable() {
	g.f.Commentf("BoxTable describes the boxes of %s: name, direction, message type", g.c.Name)
	g.f.Comment("and description, for reference pages and pictures.")
	boxes := append(g.c.Boxes[:len(g.c.Boxes):len(g.c.Boxes)], g.c.OnDemand...)
	rows := make([]jen.Code, len(boxes))
	for i, b := range boxes {
		dir := "In"
		if b.Dir == model.Outbox {
			dir = "Out"
		}
		field := b.Field
		if b.Method != "" {
			field = b.Method + "()"
		}
		kv := []jen.Code{
			jen.Id("Name").Op(":").Lit(b.Name),
			jen.Id("Field").Op(":").Lit(field),
			jen.Id("Dir").Op(":").Qual(axon, dir),
			jen.Id("Type").Op(":").Lit(types.TypeString(b.Msg, g.qualifier)),
		}
		if b.Doc != "" {
			kv = append(kv, jen.Id("Doc").Op(":").Lit(b.Doc))
		}
		if b.Cap != 0 {
			kv = append(kv, jen.Id("Cap").Op(":").Add(g.capacity(b)))
		}
		rows[i] = jen.Line().Values(kv...)
	}
	rows = append(rows, jen.Line())
	g.f.Func().Params(jen.Op("*").Add(g.self())).Id("BoxTable").Params().Index().Qual(axon, "BoxInfo").Block(
		jen.Return(jen.Index().Qual(axon, "BoxInfo").Custom(jen.Options{Open: "{", Close: "}", Separator: ","}, rows...)),
	)
	g.f.Line()
}

func (g *gen) qualifier(p *types.Package) string {
	if p == g.pkg.Types {
		return ""
	}
	return p.Name()
}

// staleName is the variable the guard declares: the compiler's message,
// when the guard breaks, names it, and so says what to do.
const staleName = "kamgenIsStale_RunGoGenerate"

// guard breaks the build when what kamgen read of the component changed
// and it has not run again: a box or connection field removed, renamed or
// of another type, an on-demand box's method gone or changed, the
// embedded axon.Component gone. It takes the address of each with its
// type spelled out, so it names nothing else of the struct: an unexported
// field of no interest to kamgen may change freely. Tags cannot be checked
// this way (only a whole struct type carries them); kamgen -check does.
func (g *gen) guard() {
	g.f.Commentf("The build breaks here when what kamgen read of %s has changed", g.c.Name)
	g.f.Comment("since it ran (a box or connection field, its type, a box method): run")
	g.f.Comment("go generate.")
	x := func() *jen.Statement { return jen.Id(staleName) }
	body := []jen.Code{
		jen.Var().Id(staleName).Add(g.self()),
		jen.Var().Id("_").Op("*").Qual(axon, "Component").Op("=").Op("&").Add(x()).Dot(g.c.BaseField),
	}
	for _, b := range g.c.Boxes {
		body = append(body, jen.Var().Id("_").Op("*").Add(g.boxType(b)).Op("=").Op("&").Add(x()).Dot(b.Field))
	}
	for _, cf := range g.c.Conn {
		typ := jen.String()
		if cf.Fact == "peerport" || cf.Fact == "localport" {
			typ = jen.Int()
		}
		body = append(body, jen.Var().Id("_").Op("*").Add(typ).Op("=").Op("&").Add(x()).Dot(cf.Field))
	}
	for _, b := range g.c.OnDemand {
		body = append(body, jen.Var().Id("_").Func().Params().Op("*").Add(g.boxType(b)).Op("=").Add(x()).Dot(b.Method))
	}
	g.f.Add(g.typeParams(jen.Func().Id("_"))).Params().Block(body...)
	g.f.Line()
}

// boxType is the type of a box: axon.Inbox[T] or axon.Outbox[T].
func (g *gen) boxType(b model.Box) *jen.Statement {
	kind := "Inbox"
	if b.Dir == model.Outbox {
		kind = "Outbox"
	}
	return jen.Qual(axon, kind).Index(g.ty.typ(b.Msg))
}
