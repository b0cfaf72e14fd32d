// Package model turns loaded Go packages into plain descriptions of the
// components they declare, and checks them. It is the seam between what the
// user wrote and what kamgen emits: everything the emitter needs is here,
// and every mistake is found here, each with its position and a fix.
package model

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/kamgen/kamgen/internal/load"
)

// generatedImports are the package names generated code may use.
var generatedImports = map[string]bool{"axon": true, "framing": true, "internet": true, "chassis": true}

// AxonPath is the import path of the runtime the generated code uses.
const AxonPath = "github.com/kamgen/kamgen/runtime/axon"

// Header starts every file kamgen writes; a file without it is never
// overwritten or removed.
const Header = load.Header

// GeneratedSuffix ends the name of every file kamgen writes.
const GeneratedSuffix = load.GeneratedSuffix

// Dir tells an inbox from an outbox.
type Dir int

const (
	Inbox Dir = iota
	Outbox
)

func (d Dir) String() string {
	if d == Inbox {
		return "inbox"
	}
	return "outbox"
}

// Box is one inbox or outbox of a component.
type Box struct {
	Field      string     // the struct field
	Name       string     // the Kamaelia box name, from the tag
	Dir        Dir        // inbox or outbox
	Msg        types.Type // the message type
	Cap        int        // capacity from the tag; 0 means the runtime default
	Last       bool       // served after the other inboxes (control, or ",last")
	NoHandler  bool       // the dispatch does not serve it (",nohandler")
	Handler    string     // handler method of a reactive component's inbox
	HandlerErr bool       // the handler returns an error
	// PassOn is set on a "control" inbox of axon.Signal that has no
	// handler, in a component with a "signal" outbox of axon.Signal: the
	// outbox's field. The dispatch passes each signal on there and stops
	// the component, Kamaelia's way of ending.
	PassOn string
	Doc    string // the field's doc or line comment
	Pos    token.Position
	// Std is the accessor kamgen generates for an optional standard box
	// (StdServerSignal, StdMakeSSL, StdSSLReady), or "".
	Std string
	// CapConst is the constant the tag names for the capacity (cap=name),
	// or nil for a number. Cap holds its value; the generated code names
	// the constant, so a new value needs no regeneration.
	CapConst *types.Const
	// Lines is the longest line of a line-framed inbox (lines=N), 0 for
	// none: the generated code attaches a line framer to the inbox, and
	// the dispatch hands its handler one line at a time. LinesConst is the
	// constant lines= names, as CapConst.
	Lines      int
	LinesConst *types.Const
	// FrameErr is true when the handler of a line-framed inbox takes the
	// bad frames too: func(frame []byte, err error).
	FrameErr bool
	// Method is the accessor of a box made on demand, declared by a
	// //kam:inbox or //kam:outbox line in the doc of a method that returns
	// it; Field is then empty. Such a box is in the BoxTable and the
	// reference page only: the component makes it itself.
	Method string
}

// ConnField is a field filled with a fact about the connection.
type ConnField struct {
	Field string // the struct field
	Fact  string // peer, peerport, localip or localport
	Pos   token.Position
}

// Component is a struct with boxes.
type Component struct {
	Name       string
	Named      *types.Named
	TypeParams []*types.TypeParam
	File       string // the source file's path
	Pos        token.Position
	Doc        string
	Threaded   bool // declares Main(ctx) error
	Boxes      []Box
	OnDemand   []Box // boxes made on demand, by accessor methods (Box.Method)
	Conn       []ConnField
	// UserNew is true when the package declares NewC itself: kamgen does
	// not generate it. NewArgs is how many parameters it takes.
	UserNew bool
	NewArgs int // -1 when it also returns an error
	// BaseField is the name of the embedded axon.Component field:
	// "Component", or an alias's name.
	BaseField string
	// Hooks are the hook methods the component declares, in the order of
	// HookKinds: the field of axon.Hooks each fills, and the method.
	Hooks []Hook
}

// Hook is a hook method of a reactive component: Method (OnStart, or
// onStart unexported) fills the field Kind of axon.Hooks (Start).
type Hook struct {
	Kind   string
	Method string
}

// Inboxes returns the component's inboxes in declaration order.
func (c *Component) Inboxes() []Box { return c.boxes(Inbox) }

// Outboxes returns the component's outboxes in declaration order.
func (c *Component) Outboxes() []Box { return c.boxes(Outbox) }

func (c *Component) boxes(d Dir) []Box {
	var out []Box
	for _, b := range c.Boxes {
		if b.Dir == d {
			out = append(out, b)
		}
	}
	return out
}

// Box returns the box of a direction with a Kamaelia name.
func (c *Component) Box(d Dir, name string) (Box, bool) {
	for _, b := range c.Boxes {
		if b.Dir == d && b.Name == name {
			return b, true
		}
	}
	return Box{}, false
}

// Standard reports whether the component has Kamaelia's four standard boxes
// (inbox, control, outbox, signal), with signals on control and signal, and
// returns the message types of inbox and outbox.
func (c *Component) Standard() (in, out types.Type, ok bool) {
	i, ok1 := c.Box(Inbox, "inbox")
	ctl, ok2 := c.Box(Inbox, "control")
	o, ok3 := c.Box(Outbox, "outbox")
	sig, ok4 := c.Box(Outbox, "signal")
	if !(ok1 && ok2 && ok3 && ok4) || !isAxon(ctl.Msg, "Signal") || !isAxon(sig.Msg, "Signal") {
		return nil, nil, false
	}
	return i.Msg, o.Msg, true
}

// ServesConnections reports whether the component can be a ServerCore or
// SimpleServer protocol handler: not generic, with the four standard boxes
// carrying []byte.
func (c *Component) ServesConnections() bool {
	in, out, ok := c.Standard()
	return ok && len(c.TypeParams) == 0 && isBytes(in) && isBytes(out)
}

// Package is one loaded package and its components.
type Package struct {
	Path, Name, Dir string
	Types           *types.Package
	Fset            *token.FileSet
	Components      []*Component
	// Generated lists the files of the package that carry kamgen's header.
	Generated []string
	// Sources lists the package's other Go files.
	Sources []string
	// Constraints holds, for each source file with one, the build
	// constraint its generated file must carry: its //go:build line and what
	// its name implies (x_linux.go builds on linux only).
	Constraints map[string]string
}

// BySource groups the components by the file that declares them.
func (p *Package) BySource() map[string][]*Component {
	out := map[string][]*Component{}
	for _, c := range p.Components {
		out[c.File] = append(out[c.File], c)
	}
	return out
}

// Build describes the components of pkg and checks them.
func Build(pkg *packages.Package) (*Package, []Error) {
	b := &builder{pkg: pkg, out: &Package{
		Path: pkg.PkgPath, Name: pkg.Name, Types: pkg.Types, Fset: pkg.Fset,
	}}
	for i, f := range pkg.Syntax {
		name := fileName(pkg, i, f)
		if b.out.Dir == "" && name != "" {
			b.out.Dir = filepath.Dir(name)
		}
		if IsGenerated(f) {
			b.out.Generated = append(b.out.Generated, name)
			b.generated = append(b.generated, f)
			continue
		}
		b.out.Sources = append(b.out.Sources, name)
		if expr := constraintOf(name, f); expr != "" {
			if b.out.Constraints == nil {
				b.out.Constraints = map[string]string{}
			}
			b.out.Constraints[name] = expr
		}
		b.file(name, f)
	}
	slices.SortFunc(b.out.Components, func(x, y *Component) int {
		if c := strings.Compare(x.Pos.Filename, y.Pos.Filename); c != 0 {
			return c
		}
		return x.Pos.Offset - y.Pos.Offset
	})
	b.collisions()
	sortErrors(b.errs)
	return b.out, b.errs
}

func fileName(pkg *packages.Package, i int, f *ast.File) string {
	if i < len(pkg.CompiledGoFiles) {
		return pkg.CompiledGoFiles[i]
	}
	return pkg.Fset.Position(f.Pos()).Filename
}

// IsGenerated reports whether f carries kamgen's header.
func IsGenerated(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() >= f.Package {
			break
		}
		for _, c := range cg.List {
			if c.Text == Header {
				return true
			}
		}
	}
	return false
}

type builder struct {
	pkg       *packages.Package
	out       *Package
	errs      []Error
	generated []*ast.File
	// src is the source file being read.
	src *ast.File
	// boxMethods holds the methods whose doc has a //kam:inbox or
	// //kam:outbox line, by receiver type name; made on first use.
	boxMethods map[string][]*ast.FuncDecl
}

func (b *builder) pos(p token.Pos) token.Position { return b.pkg.Fset.Position(p) }

func (b *builder) errorf(p token.Pos, format string, args ...any) {
	b.errs = append(b.errs, newError(b.pos(p), format, args...))
}

func (b *builder) errorAt(p token.Position, format string, args ...any) {
	b.errs = append(b.errs, newError(p, format, args...))
}

func (b *builder) file(name string, f *ast.File) {
	b.src = f
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			if d.Tok != token.TYPE {
				continue
			}
			for _, spec := range d.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				b.malformedTags(st)
				if !hasBoxTags(st) {
					continue
				}
				if ts.Name.Name == "_" {
					b.errorf(ts.Name.Pos(), "a component cannot be named _: kamgen generates methods and a constructor for it; give the type a name")
					continue
				}
				doc := ts.Doc
				if doc == nil && len(d.Specs) == 1 {
					doc = d.Doc
				}
				b.component(name, ts, st, doc)
			}
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			ast.Inspect(d.Body, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok {
					return true
				}
				if st, ok := ts.Type.(*ast.StructType); ok && hasBoxTags(st) {
					b.errorf(ts.Name.Pos(), "component %s is declared inside function %s: kamgen cannot generate methods for it; move the type declaration to package level", ts.Name.Name, d.Name.Name)
				}
				return true
			})
		}
	}
}

// malformedTags reports the fields whose tag mentions a box or a
// connection fact but is not a struct tag Go can read (inbox:j,
// inbox: "x", INBOX:"x", outbox:'x'): such a field would silently be no
// box at all, and fail at run time.
func (b *builder) malformedTags(st *ast.StructType) {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag := tagValue(f.Tag.Value)
		lower := strings.ToLower(tag)
		for _, key := range []string{"inbox", "outbox", "kam"} {
			if !strings.Contains(lower, key) {
				continue
			}
			if _, ok := lookupTag(tag, key); ok {
				break
			}
			if !malformedKey[key].MatchString(tag) {
				continue // the word in the value of another key
			}
			example := key + `:"inbox"`
			switch key {
			case "outbox":
				example = key + `:"outbox"`
			case "kam":
				example = key + `:"peer"`
			}
			b.errorf(f.Tag.Pos(), "malformed tag %s: Go reads a struct tag as key:\"value\" pairs, the key in lower case, no space after the colon, the value in double quotes; write it as %s", f.Tag.Value, example)
			break
		}
	}
}

// malformedKey matches a box key where a tag's key goes, in any case, with
// what Go's tag syntax does not allow after it.
var malformedKey = map[string]*regexp.Regexp{
	"inbox":  regexp.MustCompile(`(?i)(^|\s)inbox\s*:`),
	"outbox": regexp.MustCompile(`(?i)(^|\s)outbox\s*:`),
	"kam":    regexp.MustCompile(`(?i)(^|\s)kam\s*:`),
}

// hasBoxTags reports whether a struct declares any box or connection field.
func hasBoxTags(st *ast.StructType) bool {
	for _, f := range st.Fields.List {
		if f.Tag == nil {
			continue
		}
		tag := tagValue(f.Tag.Value)
		for _, key := range []string{"inbox", "outbox", "kam"} {
			if _, ok := lookupTag(tag, key); ok {
				return true
			}
		}
	}
	return false
}

func (b *builder) component(file string, ts *ast.TypeSpec, st *ast.StructType, doc *ast.CommentGroup) {
	obj, _ := b.pkg.TypesInfo.Defs[ts.Name].(*types.TypeName)
	if obj == nil {
		b.errorf(ts.Name.Pos(), "cannot resolve component %s: fix the package's type errors first", ts.Name.Name)
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		b.errorf(ts.Name.Pos(), "component %s must be a defined struct type, not an alias", ts.Name.Name)
		return
	}
	stype, ok := named.Underlying().(*types.Struct)
	if !ok {
		return
	}
	c := &Component{Name: ts.Name.Name, Named: named, File: file, Pos: b.pos(ts.Name.Pos())}
	if doc != nil {
		c.Doc = doc.Text()
	}
	if tps := named.TypeParams(); tps != nil {
		for i := range tps.Len() {
			tp := tps.At(i)
			if generatedImports[tp.Obj().Name()] {
				b.errorf(tp.Obj().Pos(), "type parameter %s of %s has the name of a package the generated code uses, and would hide it: rename the type parameter", tp.Obj().Name(), ts.Name.Name)
			}
			c.TypeParams = append(c.TypeParams, tp)
		}
	}
	nerr := len(b.errs)

	// Fields, as the types package sees them, with their syntax for
	// positions and comments.
	astFields := map[string]*ast.Field{}
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			astFields[embeddedName(f.Type)] = f
		}
		for _, n := range f.Names {
			astFields[n.Name] = f
		}
	}
	embedsComponent := false
	facts := map[string]bool{}
	// Every field tagged as an inbox, valid or not: a handler named for one
	// of them is not "a handler for no inbox".
	inboxFields := map[string]bool{}
	for i := range stype.NumFields() {
		if _, ok := lookupTag(stype.Tag(i), "inbox"); ok {
			inboxFields[stype.Field(i).Name()] = true
		}
	}
	for i := range stype.NumFields() {
		v := stype.Field(i)
		tag := stype.Tag(i)
		af := astFields[v.Name()]
		fpos := v.Pos()
		if v.Name() == "_" {
			for _, key := range []string{"inbox", "outbox", "kam"} {
				if _, ok := lookupTag(tag, key); ok {
					b.errorf(fpos, "%s %s field cannot be blank (_): the generated code must name it; give it a name (In, Out, Peer)", article(key), key)
					break
				}
			}
			continue
		}
		if v.Embedded() && isAxon(v.Type(), "Component") {
			embedsComponent = true
			c.BaseField = v.Name()
		}
		inTag, isIn := lookupTag(tag, "inbox")
		outTag, isOut := lookupTag(tag, "outbox")
		kamTag, isKam := lookupTag(tag, "kam")
		switch {
		case isIn && isOut:
			b.errorf(fpos, "field %s has both an inbox and an outbox tag: a field is one box; keep one tag", v.Name())
			continue
		case isIn:
			b.box(c, v, Inbox, inTag, af)
		case isOut:
			b.box(c, v, Outbox, outTag, af)
		}
		if isKam {
			b.connField(c, v, kamTag, facts)
		}
	}
	if !embedsComponent {
		b.errorf(ts.Name.Pos(), "component %s has boxes but does not embed axon.Component: add the field axon.Component (from %s) first in the struct", c.Name, AxonPath)
	}
	b.optional(c)
	b.onDemand(c)
	b.kind(c)
	b.handlers(c, inboxFields)
	if len(b.errs) == nerr {
		b.out.Components = append(b.out.Components, c)
	}
}

func embeddedName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return embeddedName(t.X)
	case *ast.IndexListExpr:
		return embeddedName(t.X)
	}
	return ""
}

func (b *builder) box(c *Component, v *types.Var, dir Dir, tag string, af *ast.Field) {
	pos := v.Pos()
	spec, err := ParseBoxTag(tag, dir)
	if err != nil {
		b.errorf(pos, "field %s: %v", v.Name(), err)
		return
	}
	box := Box{Field: v.Name(), Name: spec.Name, Dir: dir, Cap: spec.Cap, Last: spec.Last, NoHandler: spec.NoHandler, Pos: b.pos(pos)}
	if spec.CapConst != "" {
		k, n, ok := b.countConst(v.Name(), "cap", spec.CapConst, tagPosOf(af, pos))
		if !ok {
			return
		}
		box.CapConst, box.Cap = k, n
	}
	box.Lines = spec.Lines
	if spec.LinesConst != "" {
		k, n, ok := b.countConst(v.Name(), "lines", spec.LinesConst, tagPosOf(af, pos))
		if !ok {
			return
		}
		box.LinesConst, box.Lines = k, n
	}
	if af != nil {
		if af.Doc != nil {
			box.Doc = strings.TrimSpace(af.Doc.Text())
		} else if af.Comment != nil {
			box.Doc = strings.TrimSpace(af.Comment.Text())
		}
	}
	if box.Name == "control" && dir == Inbox {
		box.Last = true
	}

	want, other := "Inbox", "Outbox"
	if dir == Outbox {
		want, other = other, want
	}
	t := v.Type()
	if p, ok := t.(*types.Pointer); ok && (isAxon(p.Elem(), want) || isAxon(p.Elem(), other)) {
		b.errorf(pos, "field %s is a pointer to a box: declare it as a value, axon.%s[T]; the generated constructor sets it up", v.Name(), want)
		return
	}
	switch {
	case isAxon(t, want):
		box.Msg = types.Unalias(t).(*types.Named).TypeArgs().At(0)
	case isAxon(t, other):
		b.errorf(pos, "field %s has %s %s tag but is an axon.%s: tag it %s:%q, or change its type to axon.%s[T]", v.Name(), article(dir.String()), dir, other, Dir(1-dir), spec.Name, want)
		return
	default:
		if t == types.Typ[types.Invalid] {
			b.errorf(pos, "field %s: its type does not resolve: fix that type error first", v.Name())
			return
		}
		b.errorf(pos, "field %s has %s %s tag but its type %s is not a box: change its type to axon.%s[T] or remove the tag", v.Name(), article(dir.String()), dir, types.TypeString(t, b.qualifier), want)
		return
	}
	if box.Lines != 0 && box.Last {
		b.errorf(tagPosOf(af, pos), "field %s: inbox %q is served last (last, or named control), and a line-framed inbox cannot be: remove lines or last", v.Name(), box.Name)
		return
	}
	if box.Lines != 0 && !isBytes(box.Msg) {
		b.errorf(tagPosOf(af, pos), "field %s: option lines cuts a byte stream into lines, but the inbox carries %s: make it axon.Inbox[[]byte], or remove lines", v.Name(), types.TypeString(box.Msg, b.qualifier))
		return
	}
	if bad := b.unnameable(box.Msg); bad != "" {
		if strings.HasPrefix(bad, "a type that does not resolve") {
			b.errorf(pos, "field %s: its message type does not resolve: fix that type error first", v.Name())
			return
		}
		b.errorf(pos, "field %s: message type %s uses %s, which generated code cannot name: export it or use another type", v.Name(), types.TypeString(box.Msg, b.qualifier), bad)
		return
	}
	for _, o := range c.Boxes {
		if o.Dir == dir && o.Name == box.Name {
			b.errorf(pos, "field %s: duplicate %s name %q (field %s, line %d, has it): give each %s its own name", v.Name(), dir, box.Name, o.Field, o.Pos.Line, dir)
			return
		}
	}
	c.Boxes = append(c.Boxes, box)
}

// InternetPath is the import path of the runtime's network package, whose
// TLSUpgrade a handler's "makessl" outbox carries.
const InternetPath = "github.com/kamgen/kamgen/runtime/internet"

// optionalBox is one of the optional standard boxes a chassis links when a
// protocol handler has it: the handler's end of the link, and the
// accessor kamgen generates for it.
type optionalBox struct {
	name string
	dir  Dir    // the handler's end
	std  string // the accessor
	typ  string // the message type, as the fix spells it
	from string // where it comes from, for the fix
	is   func(types.Type) bool
	doc  []string // what the link does: the generated comment's lines
}

var optionalBoxes = []optionalBox{
	{name: "serversignal", dir: Outbox, std: "StdServerSignal", typ: "axon.Signal", from: AxonPath, is: IsSignal,
		doc: []string{"ServerCore links it, and an internet.ServerShutdown sent there stops", "the server."}},
	{name: "makessl", dir: Outbox, std: "StdMakeSSL", typ: "*internet.TLSUpgrade", from: InternetPath, is: isTLSUpgrade,
		doc: []string{"ServerCore links it to the connection's adapter, and an", "*internet.TLSUpgrade sent there switches the connection to TLS."}},
	{name: "sslready", dir: Inbox, std: "StdSSLReady", typ: "axon.None", from: AxonPath, is: isNone,
		doc: []string{"ServerCore links the adapter's to it, and axon.None{} comes there once", "the TLS handshake is done."}},
}

// OptionalDoc returns what the link of an optional standard box does: the
// lines of the comment of its accessor after the first.
func OptionalDoc(std string) []string {
	for _, o := range optionalBoxes {
		if o.std == std {
			return o.doc
		}
	}
	return nil
}

// isNone reports whether t is axon.None, an alias of struct{}.
func isNone(t types.Type) bool {
	st, ok := types.Unalias(t).(*types.Struct)
	return ok && st.NumFields() == 0
}

func isTLSUpgrade(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	return ok && isNamed(p.Elem(), InternetPath, "TLSUpgrade")
}

// optional applies one rule to the optional standard boxes (serversignal,
// makessl, sslready): a box of that name in the handler's direction must
// carry the handler's message type, and gets its Std accessor, which makes
// the component a chassis.ServerSignaller or chassis.TLSUpgrader; makessl
// and sslready come together. The other direction is the other end of the
// link (ServerCore's serversignal inbox, the client's makessl inbox and
// sslready outbox) and is free, except a serversignal inbox on a component
// that serves connections, whose own end is an outbox.
func (b *builder) optional(c *Component) {
	handlerEnd := map[string]*Box{}
	for i := range c.Boxes {
		bx := &c.Boxes[i]
		for _, o := range optionalBoxes {
			if bx.Name != o.name {
				continue
			}
			if bx.Dir != o.dir {
				if o.name == "serversignal" && c.ServesConnections() {
					b.errorAt(bx.Pos, "field %s: a protocol handler's %q box is an outbox, which ServerCore links to stop the server: declare it %s axon.Outbox[axon.Signal] `outbox:\"serversignal\"`, or rename the box",
						bx.Field, o.name, bx.Field)
				}
				continue
			}
			if !o.is(bx.Msg) {
				b.errorAt(bx.Pos, "field %s: the %s %q must carry %s (from %s), which the chassis link to it: declare it axon.%s[%s], or rename the box",
					bx.Field, o.dir, o.name, o.typ, o.from, boxKind(o.dir), o.typ)
				continue
			}
			bx.Std = o.std
			handlerEnd[o.name] = bx
		}
	}
	pair := func(have, want string, wantDir Dir, wantField, wantType string) {
		bx, ok := handlerEnd[have]
		if !ok || handlerEnd[want] != nil {
			return
		}
		if _, clash := c.Box(wantDir, want); clash {
			return // refused above
		}
		b.errorAt(bx.Pos, "field %s: the %s %q needs an %s %q beside it: ServerCore links the two together or neither; add %s axon.%s[%s] `%s:%q`",
			bx.Field, bx.Dir, have, wantDir, want, wantField, boxKind(wantDir), wantType, wantDir, want)
	}
	pair("makessl", "sslready", Inbox, "Ready", "axon.None")
	pair("sslready", "makessl", Outbox, "Upgrade", "*internet.TLSUpgrade")
}

func boxKind(d Dir) string {
	if d == Inbox {
		return "Inbox"
	}
	return "Outbox"
}

// tagPosOf is the position of a field's tag, or def when it has none.
func tagPosOf(af *ast.Field, def token.Pos) token.Pos {
	if af != nil && af.Tag != nil {
		return af.Tag.Pos()
	}
	return def
}

// countConst resolves the constant an option that counts names (cap=name
// or cap=pkg.Name): a constant of the package, or an exported one of a
// package the source file imports, with an integer value from 1 to
// maxCount. It reports an error at the tag and false when it is not one.
func (b *builder) countConst(field, key, name string, pos token.Pos) (*types.Const, int, bool) {
	fail := func(format string, args ...any) (*types.Const, int, bool) {
		b.errorf(pos, "field %s: option %s=%s: %s", field, key, name, fmt.Sprintf(format, args...))
		return nil, 0, false
	}
	var obj types.Object
	if pkgName, member, qualified := strings.Cut(name, "."); qualified {
		var imported *types.PkgName
		if fs := b.pkg.TypesInfo.Scopes[b.src]; fs != nil {
			imported, _ = fs.Lookup(pkgName).(*types.PkgName)
		}
		if imported == nil {
			return fail("this file imports no package named %s: import it, or use a constant of this package", pkgName)
		}
		obj = imported.Imported().Scope().Lookup(member)
		if obj == nil || !obj.Exported() {
			where := pkgName
			if path := imported.Imported().Path(); path != pkgName {
				where += " (" + path + ")"
			}
			return fail("package %s has no exported constant %s: use one it has, or a constant of this package", where, member)
		}
	} else {
		_, obj = b.pkg.Types.Scope().LookupParent(name, token.NoPos)
		if obj == nil {
			return fail("there is no constant %s in package %s: declare it (const %s = 16), or write a number", name, b.pkg.Name, name)
		}
	}
	k, ok := obj.(*types.Const)
	if !ok {
		return fail("%s is not a constant: declare it with const, or write a number", name)
	}
	basic, ok := k.Type().Underlying().(*types.Basic)
	if !ok || basic.Info()&types.IsInteger == 0 || k.Val().Kind() != constant.Int {
		return fail("constant %s is %s, not an integer: use an integer constant, as const %s = 16", name, types.TypeString(k.Type(), b.qualifier), k.Name())
	}
	n, exact := constant.Int64Val(k.Val())
	if !exact || n < 1 || n > maxCount {
		return fail("constant %s is %s: it must be from 1 to %d; change its value", name, k.Val().ExactString(), maxCount)
	}
	return k, int(n), true
}

// onDemand collects the boxes c makes on demand: methods of c whose doc
// holds a line "//kam:inbox NAME [what it carries]" (or kam:outbox), and
// which return the box, *axon.Inbox[T] (or *axon.Outbox[T]).
func (b *builder) onDemand(c *Component) {
	if b.boxMethods == nil {
		b.boxMethods = map[string][]*ast.FuncDecl{}
		for _, f := range b.pkg.Syntax {
			if IsGenerated(f) {
				continue
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 || fd.Doc == nil {
					continue
				}
				for _, cm := range fd.Doc.List {
					if _, _, ok := boxDirective(cm.Text); ok {
						recv := embeddedName(fd.Recv.List[0].Type)
						b.boxMethods[recv] = append(b.boxMethods[recv], fd)
						break
					}
				}
			}
		}
	}
	for _, fd := range b.boxMethods[c.Name] {
		for _, cm := range fd.Doc.List {
			if dir, rest, ok := boxDirective(cm.Text); ok {
				b.onDemandBox(c, fd, cm, dir, rest)
			}
		}
	}
}

// boxDirective parses "//kam:inbox NAME [doc]" or "//kam:outbox ...".
func boxDirective(line string) (dir Dir, rest string, ok bool) {
	switch {
	case strings.HasPrefix(line, "//kam:inbox"):
		dir, rest = Inbox, strings.TrimPrefix(line, "//kam:inbox")
	case strings.HasPrefix(line, "//kam:outbox"):
		dir, rest = Outbox, strings.TrimPrefix(line, "//kam:outbox")
	default:
		return 0, "", false
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false // //kam:inboxes, say: not this directive
	}
	return dir, strings.TrimSpace(rest), true
}

func (b *builder) onDemandBox(c *Component, fd *ast.FuncDecl, cm *ast.Comment, dir Dir, rest string) {
	pos := cm.Pos()
	name, doc := rest, ""
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		name, doc = rest[:i], strings.TrimSpace(rest[i:])
	}
	if name == "" {
		b.errorf(pos, "//kam:%s on method %s names no box: write //kam:%s NAME, the box's Kamaelia name, then what it carries", dir, fd.Name.Name, dir)
		return
	}
	if !validName(name) {
		b.errorf(pos, "//kam:%s on method %s: box name %q: use letters, digits, '_' and '-' only (what the box carries goes after the name, past a space)", dir, fd.Name.Name, name)
		return
	}
	want := "Inbox"
	if dir == Outbox {
		want = "Outbox"
	}
	fn, _ := b.pkg.TypesInfo.Defs[fd.Name].(*types.Func)
	if fn == nil {
		b.errorf(pos, "//kam:%s on method %s: the method does not resolve: fix the package's type errors first", dir, fd.Name.Name)
		return
	}
	sig := fn.Type().(*types.Signature)
	var msg types.Type
	if sig.Params().Len() == 0 && sig.Results().Len() == 1 {
		if p, ok := sig.Results().At(0).Type().(*types.Pointer); ok && isAxon(p.Elem(), want) {
			msg = types.Unalias(p.Elem()).(*types.Named).TypeArgs().At(0)
		}
	}
	if msg == nil {
		b.errorf(pos, "//kam:%s %s: method %s must take nothing and return the box, *axon.%s[T]; change its signature or remove the line", dir, name, fd.Name.Name, want)
		return
	}
	if bad := b.unnameable(msg); bad != "" {
		b.errorf(pos, "//kam:%s %s: message type %s uses %s, which generated code cannot name: export it or use another type", dir, name, types.TypeString(msg, b.qualifier), bad)
		return
	}
	if doc == "" {
		doc = FirstSentence(fd.Doc.Text())
	}
	for _, o := range append(c.Boxes[:len(c.Boxes):len(c.Boxes)], c.OnDemand...) {
		if o.Dir == dir && o.Name == name {
			by := "field " + o.Field
			if o.Method != "" {
				by = "method " + o.Method
			}
			b.errorf(pos, "//kam:%s on method %s: duplicate %s name %q (%s, line %d, has it): give each %s its own name", dir, fd.Name.Name, dir, name, by, o.Pos.Line, dir)
			return
		}
	}
	c.OnDemand = append(c.OnDemand, Box{Name: name, Dir: dir, Msg: msg, Doc: doc, Method: fd.Name.Name, NoHandler: true, Pos: b.pos(pos)})
}

// FirstSentence is the first sentence of a doc comment, on one line.
func FirstSentence(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if i := strings.Index(text, ". "); i >= 0 {
		return text[:i+1]
	}
	return text
}

// Connection facts and their Go types.
var connFacts = map[string]types.BasicKind{
	"peer": types.String, "peerport": types.Int, "localip": types.String, "localport": types.Int,
}

func (b *builder) connField(c *Component, v *types.Var, tag string, seen map[string]bool) {
	kind, ok := connFacts[tag]
	if !ok {
		b.errorf(v.Pos(), "field %s: unknown kam tag %q: use one of peer, peerport, localip, localport", v.Name(), tag)
		return
	}
	if seen[tag] {
		b.errorf(v.Pos(), "field %s: a second field tagged kam:%q: keep one", v.Name(), tag)
		return
	}
	seen[tag] = true
	if basic, ok := v.Type().(*types.Basic); !ok || basic.Kind() != kind {
		b.errorf(v.Pos(), "field %s is tagged kam:%q and must be %s %s, not %s: change its type", v.Name(), tag, article(types.Typ[kind].Name()), types.Typ[kind], types.TypeString(v.Type(), b.qualifier))
		return
	}
	c.Conn = append(c.Conn, ConnField{Field: v.Name(), Fact: tag, Pos: b.pos(v.Pos())})
}

// ptrMethods returns the methods of *C, with the component's own type
// parameters in their signatures.
func (b *builder) method(c *Component, name string) *types.Func {
	var recv types.Type = c.Named
	if len(c.TypeParams) > 0 {
		args := make([]types.Type, len(c.TypeParams))
		for i, tp := range c.TypeParams {
			args[i] = tp
		}
		if inst, err := types.Instantiate(nil, c.Named, args, false); err == nil {
			recv = inst
		}
	}
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(recv), false, b.pkg.Types, name)
	fn, _ := obj.(*types.Func)
	return fn
}

func (b *builder) userDeclared(obj types.Object) bool {
	if obj == nil || !obj.Pos().IsValid() {
		return false
	}
	return !b.inGenerated(obj.Pos())
}

func (b *builder) inGenerated(p token.Pos) bool {
	for _, f := range b.generated {
		if f.FileStart <= p && p <= f.FileEnd {
			return true
		}
	}
	return false
}

func (b *builder) kind(c *Component) {
	fn := b.method(c, "Main")
	if fn == nil || !b.userDeclared(fn) {
		return
	}
	b.pointerReceiver(c, fn, "method")
	sig := fn.Type().(*types.Signature)
	ok := sig.Params().Len() == 1 && isNamed(sig.Params().At(0).Type(), "context", "Context") &&
		sig.Results().Len() == 1 && isError(sig.Results().At(0).Type())
	if !ok {
		b.errorf(fn.Pos(), "%s.Main must be func(ctx context.Context) error to make %s a threaded component: fix its signature, or rename it", c.Name, c.Name)
	}
	c.Threaded = true
}

// Hook methods the runtime calls; they are not inbox handlers.
var hooks = map[string]bool{"OnStart": true, "OnStop": true, "OnWake": true, "OnChildDone": true, "OnTurnEnd": true}

// HookKinds are the fields of axon.Hooks that hook methods fill, in order;
// the method of kind K is OnK, or onK.
var HookKinds = []string{"Start", "Stop", "Wake", "TurnEnd", "ChildDone"}

// pointerReceiver reports whether fn, a method the runtime or the
// generated code calls on *C, is declared on *C; if it is declared on C it
// reports an error and false: the method would run on a copy of the
// component, so its sends, its state and Stop would not reach the real one.
func (b *builder) pointerReceiver(c *Component, fn *types.Func, what string) bool {
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return true
	}
	if _, ok := types.Unalias(recv.Type()).(*types.Pointer); ok {
		return true
	}
	name := recv.Name()
	if name == "" || name == "_" {
		name = "c"
	}
	self := types.TypeString(recv.Type(), b.qualifier) // C, or C[T] as the method spells it
	b.errorf(fn.Pos(), "%s %s.%s has a value receiver, so it would run on a copy of the %s (its boxes, fields and Stop would not reach the real one): declare it on a pointer receiver, func (%s *%s) %s",
		what, c.Name, fn.Name(), c.Name, name, self, fn.Name())
	return false
}

func (b *builder) handlers(c *Component, inboxFields map[string]bool) {
	for i := range c.Boxes {
		bx := &c.Boxes[i]
		if bx.Dir != Inbox {
			continue
		}
		if c.Threaded || bx.NoHandler {
			continue
		}
		name := "On" + bx.Field
		fn := b.method(c, name)
		if fn == nil || !b.userDeclared(fn) {
			fn = nil
		}
		// The generated Dispatch lives in the package: an unexported
		// handler serves as well.
		if low := b.method(c, "on"+bx.Field); low != nil && b.userDeclared(low) {
			if fn != nil {
				b.errorf(low.Pos(), "inbox %q (field %s) has two handlers, %s (line %d) and %s: keep one",
					bx.Name, bx.Field, name, b.pos(fn.Pos()).Line, low.Name())
				continue
			}
			fn, name = low, low.Name()
		}
		if fn == nil {
			if out := passOn(c, bx); out != "" {
				bx.PassOn = out
				continue
			}
			or := ""
			if bx.Name == "control" && IsSignal(bx.Msg) {
				or = "; or declare an outbox `signal` of axon.Signal, and the control inbox passes each signal on there and stops the component"
			}
			b.errorAt(bx.Pos, "inbox %q (field %s) of reactive component %s has no handler: add func (c *%s) %s(msg %s) (or on%s, unexported), or tag it inbox:\"%s,nohandler\" if nothing should serve it%s",
				bx.Name, bx.Field, c.Name, c.Name, name, types.TypeString(bx.Msg, b.qualifier), bx.Field, bx.Name, or)
			continue
		}
		if !b.pointerReceiver(c, fn, "handler") {
			continue
		}
		sig := fn.Type().(*types.Signature)
		if bx.Lines != 0 {
			b.frameHandler(c, bx, fn, sig)
			continue
		}
		okParams := sig.Params().Len() == 1 && types.Identical(sig.Params().At(0).Type(), bx.Msg)
		okResults := sig.Results().Len() == 0 || (sig.Results().Len() == 1 && isError(sig.Results().At(0).Type()))
		if !okParams || !okResults {
			b.errorf(fn.Pos(), "handler %s.%s must be func(msg %s) or func(msg %s) error to serve inbox %q, but is %s: fix its signature",
				c.Name, name, types.TypeString(bx.Msg, b.qualifier), types.TypeString(bx.Msg, b.qualifier), bx.Name, types.TypeString(sig, b.qualifier))
			continue
		}
		bx.Handler = name
		bx.HandlerErr = sig.Results().Len() == 1
	}
	if c.Threaded {
		for _, kind := range HookKinds {
			if fn := b.method(c, "On"+kind); fn != nil && b.userDeclared(fn) {
				b.pointerReceiver(c, fn, "hook")
			}
		}
		return
	}
	b.hooks(c)
	// A method that looks like a handler but serves no inbox is a mistake.
	ms := types.NewMethodSet(types.NewPointer(c.Named))
	for i := range ms.Len() {
		fn, ok := ms.At(i).Obj().(*types.Func)
		if !ok || !b.userDeclared(fn) || hooks[fn.Name()] {
			continue
		}
		rest, ok := strings.CutPrefix(fn.Name(), "On")
		if !ok || rest == "" || !token.IsExported(rest) || inboxFields[rest] {
			continue
		}
		if fn.Type().(*types.Signature).Params().Len() != 1 {
			continue
		}
		b.errorf(fn.Pos(), "handler %s.%s matches no inbox: there is no inbox field %s; rename the method or add the field with an inbox tag", c.Name, fn.Name(), rest)
	}
}

// hooks finds the hook methods of a reactive component, exported (OnStart)
// or not (onStart), and checks them: a pointer receiver, the signature the
// runtime calls.
func (b *builder) hooks(c *Component) {
	for _, kind := range HookKinds {
		var fn *types.Func
		for _, name := range []string{"On" + kind, "on" + kind} {
			m := b.method(c, name)
			if m == nil || !b.userDeclared(m) {
				continue
			}
			if fn != nil {
				b.errorf(m.Pos(), "%s has two %s hooks, %s (line %d) and %s: keep one", c.Name, kind, fn.Name(), b.pos(fn.Pos()).Line, m.Name())
				continue
			}
			fn = m
		}
		if fn == nil || !b.pointerReceiver(c, fn, "hook") {
			continue
		}
		sig := fn.Type().(*types.Signature)
		want, ok := "func()", sig.Params().Len() == 0 && sig.Results().Len() == 0
		if kind == "ChildDone" {
			want = "func(child *axon.Component, err error)"
			ps := sig.Params()
			ok = ps.Len() == 2 && sig.Results().Len() == 0 && isComponentPtr(ps.At(0).Type()) && isError(ps.At(1).Type())
		}
		if !ok {
			b.errorf(fn.Pos(), "hook %s.%s must be %s, but is %s: fix its signature, or rename it if it is not the %s hook",
				c.Name, fn.Name(), want, types.TypeString(sig, b.qualifier), kind)
			continue
		}
		c.Hooks = append(c.Hooks, Hook{Kind: kind, Method: fn.Name()})
	}
}

// isComponentPtr reports whether t is *axon.Component.
func isComponentPtr(t types.Type) bool {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Name() == "Component" && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == AxonPath
}

// passOn returns the field of c's "signal" outbox when bx is a "control"
// inbox of axon.Signal and that outbox carries axon.Signal too: the
// default handler of such an inbox passes each signal on and stops c.
func passOn(c *Component, bx *Box) string {
	if bx.Name != "control" || !IsSignal(bx.Msg) {
		return ""
	}
	for _, o := range c.Boxes {
		if o.Dir == Outbox && o.Name == "signal" && IsSignal(o.Msg) {
			return o.Field
		}
	}
	return ""
}

// frameHandler checks the handler of a line-framed inbox: it takes one
// line, func(frame []byte) (a bad frame fails the component) or
// func(frame []byte) error, or the bad frames too, func(frame []byte, err
// error).
func (b *builder) frameHandler(c *Component, bx *Box, fn *types.Func, sig *types.Signature) {
	params, results := sig.Params(), sig.Results()
	okFrame := params.Len() >= 1 && isBytes(params.At(0).Type())
	switch {
	case okFrame && params.Len() == 1 && results.Len() == 0:
	case okFrame && params.Len() == 1 && results.Len() == 1 && isError(results.At(0).Type()):
		bx.HandlerErr = true
	case okFrame && params.Len() == 2 && isError(params.At(1).Type()) && results.Len() == 0:
		bx.FrameErr = true
	default:
		b.errorf(fn.Pos(), "handler %s.%s serves the line-framed inbox %q (lines=%d) and must be func(frame []byte), func(frame []byte) error, or func(frame []byte, err error) to be given the bad frames too, but is %s: fix its signature",
			c.Name, fn.Name(), bx.Name, bx.Lines, types.TypeString(sig, b.qualifier))
		return
	}
	bx.Handler = fn.Name()
}

// HooksVar is the name of the package variable that holds the
// axon.Hooks of a reactive component that has no type parameters.
func HooksVar(c *Component) string { return "kamHooks" + c.Name }

// collisions reports user declarations of names kamgen generates.
func (b *builder) collisions() {
	scope := b.pkg.Types.Scope()
	for _, c := range b.out.Components {
		b.userConstructor(c, scope.Lookup("New"+c.Name))
		var names []string
		if !c.Threaded && len(c.TypeParams) == 0 {
			names = append(names, HooksVar(c))
		}
		for _, n := range names {
			if obj := scope.Lookup(n); b.userDeclared(obj) {
				b.errorf(obj.Pos(), "%s is declared here, but kamgen generates it for component %s: rename yours", n, c.Name)
			}
		}
		methods := []string{"initBoxes", "BoxTable"}
		if len(c.Conn) > 0 {
			methods = append(methods, "SetConn")
		}
		if !c.Threaded {
			methods = append(methods, "Dispatch")
		}
		if _, _, ok := c.Standard(); ok {
			methods = append(methods, "StdInbox", "StdControl", "StdOutbox", "StdSignal")
		}
		for _, bx := range c.Boxes {
			if bx.Std != "" {
				methods = append(methods, bx.Std)
			}
		}
		st := c.Named.Underlying().(*types.Struct)
		for _, m := range methods {
			if fn := b.method(c, m); fn != nil && b.userDeclared(fn) {
				fix := "rename yours"
				switch {
				case strings.HasPrefix(m, "Std"):
					fix = "delete yours, the generated one returns the same box"
				case m == "Dispatch":
					fix = "delete yours, the generated dispatch serves each inbox with its handler (tag an inbox nohandler to serve it yourself)"
				}
				b.errorf(fn.Pos(), "method %s.%s is declared here, but kamgen generates it: %s", c.Name, m, fix)
			}
			for i := range st.NumFields() {
				if f := st.Field(i); f.Name() == m {
					b.errorf(f.Pos(), "field %s of %s has the name of a method kamgen generates for it: rename the field", m, c.Name)
				}
			}
		}
	}
}

// userConstructor looks at a NewC the user declared: it must return *C and
// set the boxes up by calling initBoxes.
func (b *builder) userConstructor(c *Component, obj types.Object) {
	fn, ok := obj.(*types.Func)
	if !ok || !b.userDeclared(fn) {
		if obj != nil && b.userDeclared(obj) {
			b.errorf(obj.Pos(), "New%s is declared here but is not a function; kamgen generates the constructor New%s: rename yours", c.Name, c.Name)
		}
		return
	}
	c.UserNew = true
	sig := fn.Type().(*types.Signature)
	c.NewArgs = sig.Params().Len()
	okResult := false
	res := sig.Results()
	if res.Len() == 1 || (res.Len() == 2 && isError(res.At(1).Type())) {
		if p, isPtr := types.Unalias(res.At(0).Type()).(*types.Pointer); isPtr {
			n, isNamed := types.Unalias(p.Elem()).(*types.Named)
			okResult = isNamed && n.Origin() == c.Named
		}
	}
	if !okResult {
		b.errorf(fn.Pos(), "New%s must return *%s (or *%s and an error): kamgen leaves the constructor to you when you declare it, and its result must be the component", c.Name, c.Name, c.Name)
		return
	}
	if res.Len() == 2 {
		c.NewArgs = -1 // the factories cannot call it
	}
	if decl := b.funcDecl(fn); decl != nil && !b.callsinitBoxes(decl, 3) {
		b.errorf(fn.Pos(), "New%s does not call initBoxes, so the boxes of the %s it returns are not set up: call initBoxes on it (for example return (&%s{...}).initBoxes())", c.Name, c.Name, c.Name)
	}
}

func (b *builder) funcDecl(fn *types.Func) *ast.FuncDecl {
	for _, f := range b.pkg.Syntax {
		if fn.Pos() < f.FileStart || fn.Pos() > f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Pos() == fn.Pos() {
				return fd
			}
		}
	}
	return nil
}

// callsinitBoxes reports whether fd calls initBoxes, itself or through
// functions of the package it calls (up to depth calls deep): a constructor
// may delegate to a helper that sets the boxes up.
func (b *builder) callsinitBoxes(fd *ast.FuncDecl, depth int) bool {
	found := false
	var callees []*ast.FuncDecl
	ast.Inspect(fd, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if x.Sel.Name == "initBoxes" {
				found = true
			}
		case *ast.CallExpr:
			fun := x.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok { // a generic helper
				fun = ix.X
			}
			if id, ok := fun.(*ast.Ident); ok {
				if callee, ok := b.pkg.TypesInfo.Uses[id].(*types.Func); ok && callee.Pkg() == b.pkg.Types {
					if d := b.funcDecl(callee); d != nil && d != fd {
						callees = append(callees, d)
					}
				}
			}
		}
		return !found
	})
	if found || depth == 0 {
		return found
	}
	for _, d := range callees {
		if b.callsinitBoxes(d, depth-1) {
			return true
		}
	}
	return false
}

func (b *builder) qualifier(p *types.Package) string {
	if p == b.pkg.Types {
		return ""
	}
	return p.Name()
}

// unnameable returns the first part of t that generated code in the
// package cannot spell (an unexported type of another package, an invalid
// type), or "".
func (b *builder) unnameable(t types.Type) string {
	seen := map[types.Type]bool{}
	var walk func(t types.Type) string
	walk = func(t types.Type) string {
		if seen[t] {
			return ""
		}
		seen[t] = true
		switch t := t.(type) {
		case *types.Basic:
			if t.Kind() == types.Invalid {
				return "a type that does not resolve"
			}
		case *types.Alias:
			obj := t.Obj()
			if obj.Pkg() != nil && obj.Pkg() != b.pkg.Types && !obj.Exported() {
				return obj.Pkg().Path() + "." + obj.Name()
			}
			if ta := t.TypeArgs(); ta != nil {
				for i := range ta.Len() {
					if s := walk(ta.At(i)); s != "" {
						return s
					}
				}
			}
			if obj.Pkg() == nil || t.TypeArgs() == nil {
				return ""
			}
		case *types.Named:
			obj := t.Obj()
			if obj.Pkg() != nil && obj.Pkg() != b.pkg.Types && !obj.Exported() {
				return obj.Pkg().Path() + "." + obj.Name()
			}
			if obj.Parent() != nil && obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
				return "local type " + obj.Name()
			}
			if ta := t.TypeArgs(); ta != nil {
				for i := range ta.Len() {
					if s := walk(ta.At(i)); s != "" {
						return s
					}
				}
			}
		case *types.Pointer:
			return walk(t.Elem())
		case *types.Slice:
			return walk(t.Elem())
		case *types.Array:
			return walk(t.Elem())
		case *types.Map:
			if s := walk(t.Key()); s != "" {
				return s
			}
			return walk(t.Elem())
		case *types.Chan:
			return walk(t.Elem())
		case *types.Signature:
			for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
				for i := range tup.Len() {
					if s := walk(tup.At(i).Type()); s != "" {
						return s
					}
				}
			}
		case *types.Struct:
			for i := range t.NumFields() {
				f := t.Field(i)
				if f.Pkg() != nil && f.Pkg() != b.pkg.Types && !f.Exported() {
					return "unexported field " + f.Name() + " of " + f.Pkg().Path()
				}
				if s := walk(f.Type()); s != "" {
					return s
				}
			}
		case *types.Interface:
			for i := range t.NumExplicitMethods() {
				m := t.ExplicitMethod(i)
				if m.Pkg() != nil && m.Pkg() != b.pkg.Types && !m.Exported() {
					return "unexported method " + m.Name() + " of " + m.Pkg().Path()
				}
				if s := walk(m.Type()); s != "" {
					return s
				}
			}
			for i := range t.NumEmbeddeds() {
				if s := walk(t.EmbeddedType(i)); s != "" {
					return s
				}
			}
		case *types.Union:
			for i := range t.Len() {
				if s := walk(t.Term(i).Type()); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return walk(t)
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// IsSignal reports whether t is axon.Signal.
func IsSignal(t types.Type) bool { return isAxon(t, "Signal") }

func isAxon(t types.Type, name string) bool { return isNamed(t, AxonPath, name) }

func isNamed(t types.Type, path, name string) bool {
	t = types.Unalias(t)
	n, ok := t.(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == path && obj.Name() == name
}

func isError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

func isBytes(t types.Type) bool {
	s, ok := types.Unalias(t).(*types.Slice)
	if !ok {
		return false
	}
	b, ok := types.Unalias(s.Elem()).(*types.Basic)
	return ok && b.Kind() == types.Byte
}
