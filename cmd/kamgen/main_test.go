package main

import (
	"bytes"
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/model"
)

const shoutSrc = `package shout

import (
	"bytes"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Shouter upper-cases each line it is sent.
type Shouter struct {
	axon.Component
	In      axon.Inbox[[]byte]       ` + "`inbox:\"inbox\"`" + `
	Control axon.Inbox[axon.Signal]  ` + "`inbox:\"control\"`" + `
	Out     axon.Outbox[[]byte]      ` + "`outbox:\"outbox\"`" + `
	Signal  axon.Outbox[axon.Signal] ` + "`outbox:\"signal\"`" + `
}

func (s *Shouter) OnIn(line []byte)          { s.Out.Send(bytes.ToUpper(line)) }
func (s *Shouter) OnControl(sig axon.Signal) { s.Signal.Send(sig); s.Stop() }
`

// noComponentSrc is shout.go once its component is gone.
const noComponentSrc = `package shout

// Shouter is no longer a component.
type Shouter struct{ Name string }
`

// badSrc has two mistakes, on lines 6 and 7.
const badSrc = `package shout

import "github.com/kamgen/kamgen/runtime/axon"

type Bad struct {
	In  axon.Inbox[int]  ` + "`inbox:\"in,fast\"`" + `
	Out axon.Outbox[int] ` + "`outbox:\"out,cap=0\"`" + `
}
`

// taggedSrc declares a component only under the build tag special.
const taggedSrc = `//go:build special

package shout

import "github.com/kamgen/kamgen/runtime/axon"

type Special struct {
	axon.Component
	Out axon.Outbox[int] ` + "`outbox:\"out\"`" + `
}
`

// runIn chdirs to dir and sets up the environment for in-process runs of
// kamgen that load packages offline. It makes the test non-parallel.
func runIn(t *testing.T, dir string) {
	t.Helper()
	for k, v := range offlineEnv() {
		t.Setenv(k, v)
	}
	t.Chdir(dir)
}

// kamgen runs the command in process, as main does.
func kamgen(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestRun drives the command through the life of a package: each step
// changes the module, runs kamgen and checks its exit status, its output,
// and the files it left.
func TestRun(t *testing.T) {
	mod := newModule(t, map[string]string{"shout.go": shoutSrc})
	runIn(t, mod)
	src := filepath.Join(mod, "shout.go")
	gen := filepath.Join(mod, "shout_kam.go")
	exists := func(t *testing.T, path string) bool {
		t.Helper()
		_, err := os.Stat(path)
		if os.IsNotExist(err) {
			return false
		}
		require.NoError(t, err)
		return true
	}
	var generated string // shout_kam.go as first generated

	steps := []struct {
		name     string
		setup    func(t *testing.T)
		args     []string
		wantCode int
		check    func(t *testing.T, stdout, stderr string)
	}{
		{
			name: "check reports a missing file", args: []string{"-check"}, wantCode: 1,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stdout, "--- /dev/null\n+++ "+gen+"\n")
				assert.Contains(t, stdout, "\n+"+model.Header+"\n")
				assert.Contains(t, stderr, "1 generated file(s) out of date")
				assert.False(t, exists(t, gen), "-check writes nothing")
			},
		},
		{
			name: "generate", args: nil, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stdout)
				assert.Empty(t, stderr)
				generated = readFile(t, gen)
				assert.True(t, strings.HasPrefix(generated, model.Header+"\n"), "the generated file starts with the header")
				assert.Contains(t, generated, "func NewShouter() *Shouter {")
				assert.Contains(t, generated, "axon.Bind(c, &c.Component, &kamHooksShouter,")
			},
		},
		{
			name: "check passes when fresh", args: []string{"-check"}, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stdout)
				assert.Empty(t, stderr)
			},
		},
		{
			name: "a fresh file is not rewritten",
			setup: func(t *testing.T) {
				old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
				require.NoError(t, os.Chtimes(gen, old, old))
			},
			args: []string{"."}, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				fi, err := os.Stat(gen)
				require.NoError(t, err)
				assert.True(t, fi.ModTime().Equal(time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)), "mtime changed to %v", fi.ModTime())
			},
		},
		{
			name: "check reports a stale file",
			setup: func(t *testing.T) {
				writeFile(t, gen, strings.Replace(generated, "func NewShouter()", "func NewShouterOld()", 1))
			},
			args: []string{"-check", "./..."}, wantCode: 1,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stdout, "--- "+gen+"\n+++ "+gen+"\n")
				assert.Contains(t, stdout, "\n-func NewShouterOld() *Shouter {\n+func NewShouter() *Shouter {\n")
				assert.Contains(t, stderr, "1 generated file(s) out of date: run go generate")
			},
		},
		{
			name: "generate rewrites the stale file", args: nil, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Equal(t, generated, readFile(t, gen))
			},
		},
		{
			name:  "check reports an obsolete file",
			setup: func(t *testing.T) { writeFile(t, src, noComponentSrc) },
			args:  []string{"-check"}, wantCode: 1,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stdout, "--- "+gen+"\n+++ /dev/null\n")
				assert.True(t, exists(t, gen), "-check removes nothing")
			},
		},
		{
			name: "generate removes the obsolete file", args: nil, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.False(t, exists(t, gen))
			},
		},
		{
			name: "a hand-written file is never overwritten",
			setup: func(t *testing.T) {
				writeFile(t, src, shoutSrc)
				writeFile(t, gen, "package shout\n\n// Written by hand.\nvar handWritten = true\n")
			},
			args: nil, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stderr, "shout_kam.go exists and was not written by kamgen")
				assert.Equal(t, "package shout\n\n// Written by hand.\nvar handWritten = true\n", readFile(t, gen))
			},
		},
		{
			name: "check fails on a hand-written file too", args: []string{"-check"}, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stdout)
				assert.Contains(t, stderr, "was not written by kamgen")
			},
		},
		{
			name: "user errors: all reported, relative paths, nothing written",
			setup: func(t *testing.T) {
				require.NoError(t, os.Remove(gen))
				writeFile(t, filepath.Join(mod, "bad.go"), badSrc)
			},
			args: nil, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stdout)
				assert.Equal(t, ""+
					"bad.go:5:6: component Bad has boxes but does not embed axon.Component: add the field axon.Component (from github.com/kamgen/kamgen/runtime/axon) first in the struct\n"+
					"bad.go:6:2: field In: unknown option \"fast\" in inbox tag \"in,fast\": the options are cap=N, last, nohandler, lines=N\n"+
					"bad.go:7:2: field Out: option cap=0: the capacity must be a whole number from 1 to 1073741824, or the name of an integer constant\n"+
					"kamgen: 3 error(s); nothing written\n", stderr)
				assert.False(t, exists(t, gen), "nothing is written when there are errors")
			},
		},
		{
			name: "check reports user errors the same way", args: []string{"-check"}, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stdout)
				assert.Regexp(t, `(?m)^bad\.go:6:2: field In: unknown option`, stderr)
			},
		},
		{
			name: "build tags select the files",
			setup: func(t *testing.T) {
				require.NoError(t, os.Remove(filepath.Join(mod, "bad.go")))
				writeFile(t, filepath.Join(mod, "special.go"), taggedSrc)
			},
			args: []string{"-tags", "other,special"}, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Empty(t, stderr)
				assert.Contains(t, readFile(t, filepath.Join(mod, "special_kam.go")), "func NewSpecial() *Special {")
				assert.Equal(t, generated, readFile(t, gen))
			},
		},
		{
			name: "version", args: []string{"-version"}, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Regexp(t, regexp.MustCompile(`^kamgen \S.*\n$`), stdout)
				assert.Empty(t, stderr)
			},
		},
		{
			name: "help", args: []string{"-h"}, wantCode: 0,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stderr, "usage: kamgen")
				assert.Contains(t, stderr, "-check")
			},
		},
		{
			name: "bad flag", args: []string{"-nope"}, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.Contains(t, stderr, "flag provided but not defined: -nope")
				assert.Contains(t, stderr, "usage: kamgen")
			},
		},
		{
			name: "a pattern that matches nothing", args: []string{"./nowhere"}, wantCode: 2,
			check: func(t *testing.T, stdout, stderr string) {
				assert.True(t, strings.HasPrefix(stderr, "kamgen: "), "stderr: %s", stderr)
			},
		},
	}
	for _, s := range steps {
		// The steps share the module: stop at the first failure.
		ok := t.Run(s.name, func(t *testing.T) {
			if s.setup != nil {
				s.setup(t)
			}
			code, stdout, stderr := kamgen(s.args...)
			require.Equal(t, s.wantCode, code, "exit status of kamgen %s\nstdout:\n%s\nstderr:\n%s", strings.Join(s.args, " "), stdout, stderr)
			s.check(t, stdout, stderr)
		})
		if !ok {
			t.FailNow()
		}
	}
}

// TestRunDoc writes the reference pages of a package's components.
func TestRunDoc(t *testing.T) {
	mod := newModule(t, map[string]string{"shout.go": shoutSrc})
	runIn(t, mod)
	docs := filepath.Join(t.TempDir(), "docs")
	code, stdout, stderr := kamgen("-doc", docs, ".")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.FileExists(t, filepath.Join(mod, "shout_kam.go"))
	page := readFile(t, filepath.Join(docs, "shout.Shouter.md"))
	assert.Contains(t, page, "Shouter upper-cases each line it is sent.")
	assert.Contains(t, page, "inbox")
	assert.Contains(t, readFile(t, filepath.Join(docs, "README.md")), "shout.Shouter.md")
}

// A box made on demand (a //kam:inbox method) is on the reference page,
// with its accessor.
func TestRunDocOnDemandBox(t *testing.T) {
	mod := newModule(t, map[string]string{"lazy.go": `package shout

import "github.com/kamgen/kamgen/runtime/axon"

// Lazy makes its "extra" inbox when asked for it.
type Lazy struct {
	axon.Component
	In axon.Inbox[int] ` + "`inbox:\"inbox\"`" + ` // numbers
	x  *axon.Inbox[string]
}

func (l *Lazy) OnIn(int) {}

// Extra returns the "extra" inbox.
//
//kam:inbox extra words, now and then
func (l *Lazy) Extra() *axon.Inbox[string] {
	if l.x == nil {
		l.x = new(axon.Inbox[string])
		l.x.Init(&l.Component, "extra", 0)
	}
	return l.x
}
`})
	runIn(t, mod)
	docs := filepath.Join(t.TempDir(), "docs")
	code, stdout, stderr := kamgen("-doc", docs, ".")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	page := readFile(t, filepath.Join(docs, "shout.Lazy.md"))
	assert.Contains(t, page, "| `inbox` | `int` | numbers |")
	assert.Contains(t, page, "| `extra` | `string` | words, now and then (made on demand: `Extra()`) |")
	assert.NotContains(t, page, "kam:inbox", "the directive is not part of the description")
}

// A line-framed inbox's reference row says how long a line may be, and a
// capacity named by a constant shows its value.
func TestRunDocLines(t *testing.T) {
	mod := newModule(t, map[string]string{"lines.go": `package shout

import "github.com/kamgen/kamgen/runtime/axon"

const queue = 8

// Liner reads lines.
type Liner struct {
	axon.Component
	In axon.Inbox[[]byte] ` + "`inbox:\"inbox,lines=512,cap=queue\"`" + ` // commands
}

func (l *Liner) onIn(line []byte, err error) {}
`})
	runIn(t, mod)
	docs := filepath.Join(t.TempDir(), "docs")
	code, stdout, stderr := kamgen("-doc", docs, ".")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	page := readFile(t, filepath.Join(docs, "shout.Liner.md"))
	assert.Contains(t, page, "| `inbox` | `[]byte` | commands (lines of at most 512 bytes) (capacity 8) |")
}

// TestRunBuildConstraints checks that a generated file is built exactly
// when its source file is, whatever the build tags and GOOS: kamgen must
// carry a source's //go:build line and its _GOOS file name suffix over to
// the generated file. And kamgen run without a tag must leave alone the
// generated file of a source that the tag would have selected.
func TestRunBuildConstraints(t *testing.T) {
	goos := runtime.GOOS
	otherOS := "windows"
	if goos == otherOS {
		otherOS = "linux"
	}
	sockSrc := "sock_" + goos + ".go"
	mod := newModule(t, map[string]string{
		"shout.go":   shoutSrc,
		"special.go": taggedSrc,
		sockSrc:      strings.NewReplacer("Special", "Sock", "//go:build special\n\n", "").Replace(taggedSrc),
	})
	runIn(t, mod)

	code, stdout, stderr := kamgen("-tags", "special")
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)

	for _, src := range []string{"shout.go", "special.go", sockSrc} {
		gen := strings.TrimSuffix(src, ".go") + "_kam.go"
		require.FileExists(t, filepath.Join(mod, gen))
		for _, target := range []string{goos, otherOS} {
			for _, tags := range [][]string{nil, {"special"}} {
				ctx := build.Default
				ctx.GOOS, ctx.BuildTags = target, tags
				srcOK, err := ctx.MatchFile(mod, src)
				require.NoError(t, err)
				genOK, err := ctx.MatchFile(mod, gen)
				require.NoError(t, err)
				assert.Equal(t, srcOK, genOK, "GOOS=%s tags=%v: %s is built: %v, but %s: %v", target, tags, src, srcOK, gen, genOK)
			}
		}
	}

	code, stdout, stderr = kamgen("-check")
	assert.Equal(t, 0, code, "kamgen -check without the tag: the files are fresh\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	code, _, stderr = kamgen()
	assert.Equal(t, 0, code, stderr)
	assert.FileExists(t, filepath.Join(mod, "special_kam.go"), "kamgen without the tag removed the generated file of special.go")
}

// Code that does not parse is reported at file:line:col, with exit status
// 2, and kamgen leaves every file as it was: a generated file is never
// removed because its source could not be read.
func TestSyntaxErrorsLeaveTheFilesAlone(t *testing.T) {
	mod := newModule(t, map[string]string{"shout.go": shoutSrc})
	runIn(t, mod)
	code, _, stderr := kamgen(".")
	require.Equal(t, 0, code, stderr)
	gen := filepath.Join(mod, "shout_kam.go")
	generated := readFile(t, gen)
	for name, broken := range map[string]string{
		"shout.go":  strings.Replace(shoutSrc, "}\n", "\n", 1), // the struct's closing brace
		"helper.go": "package shout\n\nfunc broken( {\n",
		"nopkg.go":  "func helper() {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(mod, name)
			old, _ := os.ReadFile(path)
			writeFile(t, path, broken)
			defer func() {
				if old != nil {
					writeFile(t, path, string(old))
				} else {
					require.NoError(t, os.Remove(path))
				}
			}()
			code, _, stderr := kamgen(".")
			assert.Equal(t, 2, code)
			assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(name)+`:\d+:\d+: .*: fix it, then run kamgen again`, stderr)
			assert.Contains(t, stderr, "nothing written")
			assert.Equal(t, generated, readFile(t, gen), "the generated file is untouched")
		})
	}
}

// kamgen writes only regular files in the package's folder, and writes them
// whole: a link where its file goes is refused (a dangling one would have
// it write outside the package), an empty file (a write a full disk cut
// short) is taken as its own, and no temporary file is left behind.
func TestWritesOnlyWholeRegularFiles(t *testing.T) {
	mod := newModule(t, map[string]string{"shout.go": shoutSrc})
	runIn(t, mod)
	gen := filepath.Join(mod, "shout_kam.go")

	outside := filepath.Join(t.TempDir(), "elsewhere.go")
	require.NoError(t, os.Symlink(outside, gen))
	code, _, stderr := kamgen(".")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "is not a regular file")
	assert.Contains(t, stderr, "remove it")
	assert.NoFileExists(t, outside, "nothing is written through the link")
	require.NoError(t, os.Remove(gen))

	writeFile(t, gen, "")
	code, _, stderr = kamgen(".")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, readFile(t, gen), "// Code generated by kamgen. DO NOT EDIT.")
	tmps, err := filepath.Glob(filepath.Join(mod, ".*.tmp"))
	require.NoError(t, err)
	assert.Empty(t, tmps)
	fi, err := os.Stat(gen)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

// kamgen all generates for the main module only: a dependency's components
// are not the user's to write, however stale their files.
func TestAllWritesOnlyTheMainModule(t *testing.T) {
	dep := t.TempDir()
	writeFile(t, filepath.Join(dep, "go.mod"), "module example.com/dep\n\ngo 1.26.0\n\nrequire github.com/kamgen/kamgen v0.0.0\n")
	writeFile(t, filepath.Join(dep, "dep.go"), strings.Replace(shoutSrc, "package shout", "package dep", 1))
	mod := newModule(t, map[string]string{
		"shout.go": shoutSrc,
		"use.go":   "package shout\n\nimport _ \"example.com/dep\"\n",
	})
	gomod := readFile(t, filepath.Join(mod, "go.mod"))
	writeFile(t, filepath.Join(mod, "go.mod"), gomod+"\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => "+dep+"\n")
	runIn(t, mod)
	code, _, stderr := kamgen("all")
	require.Equal(t, 0, code, stderr)
	assert.FileExists(t, filepath.Join(mod, "shout_kam.go"))
	assert.NoFileExists(t, filepath.Join(dep, "dep_kam.go"), "the dependency is left alone")
}
