package engine_test

// Tests of package write, which applies the engine's results. They live
// here, in engine's external test package, with the engine they serve.

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/internal/engine"
	"github.com/kamgen/kamgen/internal/write"
)

var longAgo = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

// TestApply writes what changed, removes what is obsolete, and leaves a
// Keep file untouched: not rewritten, mtime unchanged.
func TestApply(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	files := map[string]string{
		"keep_kam.go":   "same\n",
		"stale_kam.go":  "old\n",
		"remove_kam.go": "obsolete\n",
	}
	for name, content := range files {
		require.NoError(t, os.WriteFile(path(name), []byte(content), 0o644))
		require.NoError(t, os.Chtimes(path(name), longAgo, longAgo))
	}
	results := []engine.Result{
		// Keep: Content is what is on disk; Apply must not even rewrite it.
		{Path: path("keep_kam.go"), Action: engine.Keep, Content: []byte("same\n"), Old: []byte("same\n")},
		{Path: path("stale_kam.go"), Action: engine.Write, Content: []byte("new\n"), Old: []byte("old\n")},
		{Path: path("new_kam.go"), Action: engine.Write, Content: []byte("fresh\n")},
		{Path: path("remove_kam.go"), Action: engine.Remove, Old: []byte("obsolete\n")},
		// Already gone: not an error.
		{Path: path("gone_kam.go"), Action: engine.Remove, Old: []byte("x\n")},
	}
	require.NoError(t, write.Apply(results))

	fi, err := os.Stat(path("keep_kam.go"))
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(longAgo), "keep_kam.go was rewritten (mtime %v)", fi.ModTime())
	assert.Equal(t, "same\n", readFile(t, path("keep_kam.go")))
	assert.Equal(t, "new\n", readFile(t, path("stale_kam.go")))
	assert.Equal(t, "fresh\n", readFile(t, path("new_kam.go")))
	assert.NoFileExists(t, path("remove_kam.go"))
	assert.NoFileExists(t, path("gone_kam.go"))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"keep_kam.go", "stale_kam.go", "new_kam.go"}, names)
}

// TestApplyReportsEveryFailure: a file that cannot be written does not stop
// the others; every failure is reported.
func TestApplyReportsEveryFailure(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir")
	results := []engine.Result{
		{Path: filepath.Join(missing, "a_kam.go"), Action: engine.Write, Content: []byte("a\n")},
		{Path: filepath.Join(dir, "b_kam.go"), Action: engine.Write, Content: []byte("b\n")},
		{Path: filepath.Join(missing, "c_kam.go"), Action: engine.Write, Content: []byte("c\n")},
	}
	err := write.Apply(results)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writing "+filepath.Join(missing, "a_kam.go"))
	assert.Contains(t, err.Error(), "writing "+filepath.Join(missing, "c_kam.go"))
	assert.Equal(t, "b\n", readFile(t, filepath.Join(dir, "b_kam.go")))
}

// TestDiff prints a unified diff of each file Apply would change, and
// counts them; Keep files are neither printed nor counted.
func TestDiff(t *testing.T) {
	results := []engine.Result{
		{Path: "/m/keep_kam.go", Action: engine.Keep, Content: []byte("same\n"), Old: []byte("same\n")},
		{Path: "/m/new_kam.go", Action: engine.Write, Content: []byte("a\nb\n")},
		{Path: "/m/stale_kam.go", Action: engine.Write, Content: []byte("one\nTWO\nthree\n"), Old: []byte("one\ntwo\nthree\n")},
		{Path: "/m/old_kam.go", Action: engine.Remove, Old: []byte("gone\n")},
	}
	var out bytes.Buffer
	n := write.Diff(&out, results)
	assert.Equal(t, 3, n)
	assert.Equal(t, ""+
		"--- /dev/null\n"+
		"+++ /m/new_kam.go\n"+
		"@@ -0,0 +1,2 @@\n"+
		"+a\n"+
		"+b\n"+
		"--- /m/stale_kam.go\n"+
		"+++ /m/stale_kam.go\n"+
		"@@ -1,3 +1,3 @@\n"+
		" one\n"+
		"-two\n"+
		"+TWO\n"+
		" three\n"+
		"--- /m/old_kam.go\n"+
		"+++ /dev/null\n"+
		"@@ -1 +0,0 @@\n"+
		"-gone\n", out.String())

	out.Reset()
	assert.Equal(t, 0, write.Diff(&out, results[:1]))
	assert.Empty(t, out.String())
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
