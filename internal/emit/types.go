package emit

import (
	"go/types"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
)

// typer spells go/types types as jennifer code, from inside package local.
// It records every package it names, so that the file can import each under
// its own name.
type typer struct {
	local   *types.Package
	imports map[string]string // path -> name
}

func newTyper(local *types.Package) *typer {
	return &typer{local: local, imports: map[string]string{}}
}

func (ty *typer) qual(pkg *types.Package, name string) *jen.Statement {
	if pkg == nil || pkg == ty.local {
		return jen.Id(name)
	}
	ty.imports[pkg.Path()] = pkg.Name()
	return jen.Qual(pkg.Path(), name)
}

func (ty *typer) args(s *jen.Statement, list *types.TypeList) *jen.Statement {
	if list == nil || list.Len() == 0 {
		return s
	}
	codes := make([]jen.Code, list.Len())
	for i := range list.Len() {
		codes[i] = ty.typ(list.At(i))
	}
	return s.Index(jen.List(codes...))
}

// typ returns the code for t.
func (ty *typer) typ(t types.Type) *jen.Statement {
	switch t := t.(type) {
	case *types.Alias:
		obj := t.Obj()
		if obj.Pkg() == nil { // any, and other universe aliases
			if obj.Name() == "any" {
				return jen.Any()
			}
			return jen.Id(obj.Name())
		}
		return ty.args(ty.qual(obj.Pkg(), obj.Name()), t.TypeArgs())
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() == nil { // error, comparable
			return jen.Id(obj.Name())
		}
		return ty.args(ty.qual(obj.Pkg(), obj.Name()), t.TypeArgs())
	case *types.TypeParam:
		return jen.Id(t.Obj().Name())
	case *types.Basic:
		if t.Kind() == types.UnsafePointer {
			ty.imports["unsafe"] = "unsafe"
			return jen.Qual("unsafe", "Pointer")
		}
		return jen.Id(t.Name())
	case *types.Pointer:
		return jen.Op("*").Add(ty.typ(t.Elem()))
	case *types.Slice:
		return jen.Index().Add(ty.typ(t.Elem()))
	case *types.Array:
		return jen.Index(jen.Lit(int(t.Len()))).Add(ty.typ(t.Elem()))
	case *types.Map:
		return jen.Map(ty.typ(t.Key())).Add(ty.typ(t.Elem()))
	case *types.Chan:
		switch t.Dir() {
		case types.SendOnly:
			return jen.Chan().Op("<-").Add(ty.typ(t.Elem()))
		case types.RecvOnly:
			return jen.Op("<-").Chan().Add(ty.typ(t.Elem()))
		}
		elem := ty.typ(t.Elem())
		if inner, ok := t.Elem().(*types.Chan); ok && inner.Dir() == types.RecvOnly {
			// chan <-chan T would read as chan<- chan T.
			return jen.Chan().Parens(elem)
		}
		return jen.Chan().Add(elem)
	case *types.Signature:
		return jen.Func().Add(ty.signature(t))
	case *types.Struct:
		fields := make([]jen.Code, t.NumFields())
		for i := range t.NumFields() {
			fields[i] = ty.field(t.Field(i), t.Tag(i))
		}
		return jen.Struct(fields...)
	case *types.Interface:
		return jen.Interface(ty.interfaceElems(t)...)
	case *types.Union:
		terms := make([]jen.Code, t.Len())
		for i := range t.Len() {
			term := t.Term(i)
			c := ty.typ(term.Type())
			if term.Tilde() {
				c = jen.Op("~").Add(c)
			}
			terms[i] = c
		}
		return jen.Union(terms...)
	case *types.Tuple:
		return jen.Params(ty.tuple(t, false)...)
	}
	return jen.Id(t.String())
}

// field spells one struct field, with its tag exactly as declared.
func (ty *typer) field(f *types.Var, tag string) *jen.Statement {
	var s *jen.Statement
	if f.Embedded() {
		s = ty.typ(f.Type())
	} else {
		s = jen.Id(f.Name()).Add(ty.typ(f.Type()))
	}
	if tag != "" {
		if strings.ContainsAny(tag, "`\r") {
			s = s.Id(strconv.Quote(tag))
		} else {
			s = s.Id("`" + tag + "`")
		}
	}
	return s
}

func (ty *typer) interfaceElems(t *types.Interface) []jen.Code {
	var out []jen.Code
	for i := range t.NumEmbeddeds() {
		out = append(out, ty.typ(t.EmbeddedType(i)))
	}
	for i := range t.NumExplicitMethods() {
		m := t.ExplicitMethod(i)
		out = append(out, jen.Id(m.Name()).Add(ty.signature(m.Type().(*types.Signature))))
	}
	return out
}

func (ty *typer) tuple(t *types.Tuple, variadic bool) []jen.Code {
	out := make([]jen.Code, t.Len())
	for i := range t.Len() {
		v := t.At(i)
		var typ jen.Code
		if variadic && i == t.Len()-1 {
			typ = jen.Op("...").Add(ty.typ(v.Type().(*types.Slice).Elem()))
		} else {
			typ = ty.typ(v.Type())
		}
		if v.Name() != "" && v.Name() != "_" {
			out[i] = jen.Id(v.Name()).Add(typ)
		} else {
			out[i] = typ
		}
	}
	return out
}

// signature spells a function's parameters and results (not "func").
func (ty *typer) signature(sig *types.Signature) *jen.Statement {
	s := jen.Params(ty.tuple(sig.Params(), sig.Variadic())...)
	switch res := sig.Results(); res.Len() {
	case 0:
	case 1:
		if res.At(0).Name() == "" {
			s = s.Add(ty.typ(res.At(0).Type()))
		} else {
			s = s.Params(ty.tuple(res, false)...)
		}
	default:
		s = s.Params(ty.tuple(res, false)...)
	}
	return s
}

// typeParams spells a type parameter list with constraints: [T any, U ~int].
func (ty *typer) typeParams(tps []*types.TypeParam) []jen.Code {
	out := make([]jen.Code, len(tps))
	for i, tp := range tps {
		out[i] = jen.Id(tp.Obj().Name()).Add(ty.constraint(tp.Constraint()))
	}
	return out
}

// constraint spells a constraint: a named interface by name, an implicit
// one (~int | string) by its union.
func (ty *typer) constraint(c types.Type) *jen.Statement {
	if iface, ok := c.Underlying().(*types.Interface); ok {
		if _, named := c.(*types.Named); !named {
			if _, alias := c.(*types.Alias); !alias && iface.IsImplicit() && iface.NumEmbeddeds() == 1 {
				return ty.typ(iface.EmbeddedType(0))
			}
		}
	}
	return ty.typ(c)
}

// typeArgs spells the component's own type parameters as arguments: [T, U].
func typeArgs(tps []*types.TypeParam) []jen.Code {
	out := make([]jen.Code, len(tps))
	for i, tp := range tps {
		out[i] = jen.Id(tp.Obj().Name())
	}
	return out
}
