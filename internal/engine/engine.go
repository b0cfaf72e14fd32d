// Package engine runs kamgen's steps (load, model, emit) and says what the
// files on disk should become. It writes nothing: the command, the golden
// tests and -check all share it.
package engine

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kamgen/kamgen/internal/emit"
	"github.com/kamgen/kamgen/internal/load"
	"github.com/kamgen/kamgen/internal/model"
)

// Action is what should happen to a generated file.
type Action int

const (
	// Keep: the file on disk is already right.
	Keep Action = iota
	// Write: the file is missing or stale; Content is what it should hold.
	Write
	// Remove: its source no longer declares components.
	Remove
)

// Result is one generated file.
type Result struct {
	Path    string
	Action  Action
	Content []byte // for Keep and Write
	Old     []byte // what is on disk now, nil if nothing
}

// Config says what to generate.
type Config struct {
	Dir      string   // directory the patterns are relative to
	Tags     []string // build tags
	Patterns []string // package patterns; default "."
}

// UserErrors is every mistake found in the user's code.
type UserErrors []model.Error

func (e UserErrors) Error() string {
	var b bytes.Buffer
	for i, x := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(x.Error())
	}
	return b.String()
}

// Generate loads the packages and returns what each generated file should
// be. Mistakes in the user's code come back as UserErrors, all of them;
// then no result is returned, so nothing is written.
func Generate(cfg Config) ([]Result, *Packages, error) {
	pkgs, bad, err := load.Packages(cfg.Dir, cfg.Tags, cfg.Patterns...)
	if err != nil {
		return nil, nil, err
	}
	var all UserErrors
	for _, e := range bad {
		all = append(all, model.Error{Pos: position(e.Pos), Msg: e.Msg + ": fix it, then run kamgen again (it reads only code that parses, and writes nothing until then)"})
	}
	if len(all) > 0 {
		return nil, nil, all
	}
	var models []*model.Package
	for _, p := range pkgs {
		m, errs := model.Build(p)
		all = append(all, errs...)
		models = append(models, m)
	}
	if len(all) > 0 {
		return nil, nil, all
	}
	var results []Result
	for _, m := range models {
		rs, err := forPackage(m)
		if err != nil {
			return nil, nil, err
		}
		results = append(results, rs...)
	}
	return results, &Packages{Models: models}, nil
}

// position reads a "file:line:col" position as go/packages reports it.
func position(pos string) token.Position {
	var p token.Position
	rest := pos
	for _, field := range []*int{&p.Column, &p.Line} {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			break
		}
		n, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			break
		}
		*field, rest = n, rest[:i]
	}
	if p.Line == 0 && p.Column != 0 { // "file:line" only
		p.Line, p.Column = p.Column, 0
	}
	p.Filename = rest
	if p.Line == 0 {
		p.Filename = ""
	}
	return p
}

// Packages is what Generate loaded, for the steps that need the model too
// (reference pages).
type Packages struct{ Models []*model.Package }

func forPackage(m *model.Package) ([]Result, error) {
	var results []Result
	want := map[string]bool{}
	by := m.BySource()
	sources := make([]string, 0, len(by))
	for s := range by {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	for _, src := range sources {
		out := emit.OutputName(src)
		want[out] = true
		content, err := emit.File(m, src, by[src])
		if err != nil {
			return nil, err
		}
		old, err := readIfExists(out)
		if err != nil {
			return nil, err
		}
		r := Result{Path: out, Content: content, Old: old, Action: Write}
		// An empty file holds nothing of the user's: a write that a full
		// disk or a crash cut short, before writes were atomic.
		if len(old) > 0 && !isGeneratedBytes(old) {
			return nil, fmt.Errorf("%s exists and was not written by kamgen (no %q header): rename or delete it so kamgen can write the code for %s", out, model.Header, filepath.Base(src))
		}
		if bytes.Equal(old, content) {
			r.Action = Keep
		}
		results = append(results, r)
	}
	// Generated files whose source declares no component any more.
	stale := slices.Clone(m.Generated)
	if m.Dir != "" {
		// Files the loader skipped (a build error in them) are still ours.
		matches, _ := filepath.Glob(filepath.Join(m.Dir, "*"+model.GeneratedSuffix))
		stale = append(stale, matches...)
	}
	slices.Sort(stale)
	stale = slices.Compact(stale)
	for _, g := range stale {
		if want[g] {
			continue
		}
		// A source that exists but was not loaded (excluded by build tags
		// or GOOS) keeps its generated file.
		src := strings.TrimSuffix(g, model.GeneratedSuffix) + ".go"
		if _, err := os.Stat(src); err == nil && !slices.Contains(m.Sources, src) {
			continue
		}
		old, err := readIfExists(g)
		if err != nil {
			return nil, err
		}
		if old == nil || !isGeneratedBytes(old) {
			continue
		}
		results = append(results, Result{Path: g, Action: Remove, Old: old})
	}
	return results, nil
}

// readIfExists reads a generated file's path: nil when there is nothing
// there. Anything but a regular file there is an error: kamgen writes only
// regular files, in the package's own folder, never through a link.
func readIfExists(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): kamgen writes its code only to regular files in the package's folder, never through a link: remove it", path, fi.Mode().Type())
	}
	b, err := os.ReadFile(path)
	if b == nil && err == nil {
		b = []byte{} // there, and empty
	}
	return b, err
}

func isGeneratedBytes(b []byte) bool {
	for line := range bytes.Lines(b) {
		line = bytes.TrimRight(line, "\r\n")
		if string(line) == model.Header {
			return true
		}
		if bytes.HasPrefix(line, []byte("package ")) {
			return false
		}
	}
	return false
}
