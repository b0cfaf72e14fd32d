package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/engine"
	"github.com/kamgen/kamgen/internal/model"
)

// The golden cases live in the repository's top-level testdata folder, one
// folder per case, in the layout of wire's golden tests:
//
//	testdata/<case>/*.go          the input package (package <case>)
//	testdata/<case>/want/*_kam.go the files kamgen writes for it, or
//	testdata/<case>/want/errors.txt the errors it reports, one per line,
//	                              as base-name:line:col: message
//
// go test ./internal/engine -update rewrites every want folder from what
// the generator does now: review the diff before committing it.
var update = flag.Bool("update", false, "rewrite the want/ folders of the golden cases in testdata/")

// buildTag is set when the golden outputs are built: a case may declare, in
// a file with this build constraint, what its input lacks on purpose when
// kamgen runs (see testdata/guardfallback).
const buildTag = "kamgen_buildcheck"

const errorsFile = "errors.txt"

// goldenCase is one case folder and what the engine made of it.
type goldenCase struct {
	name    string
	dir     string // absolute
	results []engine.Result
	err     error
}

// outputs returns the generated files by base name.
func (c *goldenCase) outputs() map[string][]byte {
	out := map[string][]byte{}
	for _, r := range c.results {
		if r.Action != engine.Remove {
			out[filepath.Base(r.Path)] = r.Content
		}
	}
	return out
}

// errorLines renders a user error list the way errors.txt holds it.
func (c *goldenCase) errorLines() (string, error) {
	var ue engine.UserErrors
	if !errors.As(c.err, &ue) {
		return "", c.err
	}
	var b strings.Builder
	for _, e := range ue {
		b.WriteString(scrub(e, c.dir))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// scrub renders e with the directory part of its path removed, so that the
// expected errors do not depend on where the repository is.
func scrub(e model.Error, dir string) string {
	msg := strings.ReplaceAll(e.Msg, dir+string(filepath.Separator), "")
	if !e.Pos.IsValid() {
		return msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", filepath.Base(e.Pos.Filename), e.Pos.Line, e.Pos.Column, msg)
}

// repoRoot returns the directory of the repository's go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module github.com/kamgen/kamgen\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod of github.com/kamgen/kamgen above the test's directory")
		dir = parent
	}
}

var (
	goldenOnce  sync.Once
	goldenCases []*goldenCase
	goldenErr   error
)

// generateGolden runs the engine on every case folder, once per test
// binary, all cases at once: each load is a go list and a type check.
func generateGolden(t *testing.T) []*goldenCase {
	t.Helper()
	root := repoRoot(t)
	goldenOnce.Do(func() {
		entries, err := os.ReadDir(filepath.Join(root, "testdata"))
		if err != nil {
			goldenErr = err
			return
		}
		var wg sync.WaitGroup
		for _, e := range entries {
			if !e.IsDir() || (e.Name() == "cgofile" && !build.Default.CgoEnabled) {
				// A cgo file is no file at all without cgo: no generator
				// reads it then (make test runs with cgo, as Go's default).
				continue
			}
			c := &goldenCase{name: e.Name(), dir: filepath.Join(root, "testdata", e.Name())}
			goldenCases = append(goldenCases, c)
			wg.Go(func() {
				c.results, _, c.err = engine.Generate(engine.Config{Dir: root, Patterns: []string{"./testdata/" + c.name}})
			})
		}
		wg.Wait()
	})
	require.NoError(t, goldenErr)
	require.NotEmpty(t, goldenCases, "no golden cases in %s", filepath.Join(root, "testdata"))
	return goldenCases
}

// TestGolden compares what kamgen generates for each case with its want
// folder, byte for byte, or the errors it reports with want/errors.txt.
func TestGolden(t *testing.T) {
	for _, c := range generateGolden(t) {
		t.Run(c.name, func(t *testing.T) {
			wantDir := filepath.Join(c.dir, "want")
			if *update {
				updateWant(t, c, wantDir)
				return
			}
			want := readWant(t, wantDir)
			if wantErrs, ok := want[errorsFile]; ok {
				require.Error(t, c.err, "want errors (%s), got none", errorsFile)
				got, err := c.errorLines()
				require.NoError(t, err, "want user errors, got another failure")
				assert.Equal(t, string(wantErrs), got, "errors differ from %s (go test -update rewrites it)", errorsFile)
				return
			}
			require.NoError(t, c.err)
			for _, r := range c.results {
				assert.NotEqual(t, engine.Remove, r.Action, "a golden case holds no generated file to remove: %s", r.Path)
			}
			got := c.outputs()
			assert.ElementsMatch(t, sortedKeys(want), sortedKeys(got), "generated files differ from want/")
			for name, w := range want {
				if g, ok := got[name]; ok {
					assert.Equal(t, string(w), string(g), "%s differs from want/%s (go test -update rewrites it)", name, name)
				}
			}
		})
	}
}

func readWant(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing: run go test ./internal/engine -run TestGolden -update", dir)
	}
	require.NoError(t, err)
	want := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		want[e.Name()] = b
	}
	require.NotEmpty(t, want, "%s is empty", dir)
	if _, ok := want[errorsFile]; ok {
		require.Len(t, want, 1, "%s holds %s and generated files: keep one or the other", dir, errorsFile)
	}
	return want
}

func updateWant(t *testing.T, c *goldenCase, wantDir string) {
	t.Helper()
	files := map[string][]byte{}
	if c.err != nil {
		lines, err := c.errorLines()
		require.NoError(t, err, "only user errors can be recorded")
		files[errorsFile] = []byte(lines)
	} else {
		files = c.outputs()
		require.NotEmpty(t, files, "the case generates nothing: a case must generate files or report errors")
	}
	require.NoError(t, os.MkdirAll(wantDir, 0o755))
	old, err := os.ReadDir(wantDir)
	require.NoError(t, err)
	for _, e := range old {
		if _, ok := files[e.Name()]; !ok {
			require.NoError(t, os.Remove(filepath.Join(wantDir, e.Name())))
		}
	}
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(wantDir, name), b, 0o644))
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestGoldenBuild builds every success case's input package together with
// its generated files, without writing into the repository: one go vet per
// kind of output, with an overlay adding the files, for all cases at once.
// go vet type-checks, so generated code that does not compile, or a guard
// that does not match its struct, fails here. It builds both what kamgen
// generates now and what want/ holds, which proves a want/ corrected by
// hand (see testdata/README.md) compiles too.
func TestGoldenBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every golden case with go vet")
	}
	root := repoRoot(t)
	cases := generateGolden(t)
	t.Run("generated", func(t *testing.T) {
		t.Parallel()
		files := map[string]map[string][]byte{}
		for _, c := range cases {
			if c.err == nil {
				files[c.dir] = c.outputs()
			}
		}
		vetWith(t, root, files)
	})
	t.Run("want", func(t *testing.T) {
		t.Parallel()
		files := map[string]map[string][]byte{}
		for _, c := range cases {
			want := readWant(t, filepath.Join(c.dir, "want"))
			if _, ok := want[errorsFile]; !ok {
				files[c.dir] = want
			}
		}
		vetWith(t, root, files)
	})
}

// vetWith runs go vet on the case packages of files (case dir -> base name
// -> content), each with its files added by an overlay.
func vetWith(t *testing.T, root string, files map[string]map[string][]byte) {
	t.Helper()
	require.NotEmpty(t, files, "no golden case generates code")
	tmp := t.TempDir()
	overlay := map[string]string{}
	var pkgs []string
	for _, dir := range sortedKeys(files) {
		pkgs = append(pkgs, "./testdata/"+filepath.Base(dir))
		for name, content := range files[dir] {
			file := filepath.Join(tmp, filepath.Base(dir)+"_"+name)
			require.NoError(t, os.WriteFile(file, content, 0o644))
			overlay[filepath.Join(dir, name)] = file
		}
	}
	js, err := json.Marshal(map[string]any{"Replace": overlay})
	require.NoError(t, err)
	overlayFile := filepath.Join(tmp, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, js, 0o644))

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	args := append([]string{"vet", "-overlay=" + overlayFile, "-tags=" + buildTag}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go vet of the golden cases with their files:\n%s", out)
}
