package chassis_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// goTool returns the go command, or skips the test: these tests run the
// compiler, which takes a second or two, so -short skips them too.
func goTool(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	return gobin
}

// A Pipeline whose neighbouring stages do not agree on their message type
// does not compile: testdata/mismatch joins a stage that sends strings to
// one that takes ints, and the compiler must say so, at that line.
func TestPipelineMismatchDoesNotCompile(t *testing.T) {
	gobin := goTool(t)
	cmd := exec.Command(gobin, "build", "-o", os.DevNull, "./testdata/mismatch")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the mismatched Pipeline compiled:\n%s", out)
	require.Contains(t, string(out), "mismatch.go:11:")
	require.Contains(t, string(out), "does not match inferred type axon.Stage[string, C]")
}

// pipeline_gen.go is what gen_pipeline.go writes today.
func TestPipelineGenUpToDate(t *testing.T) {
	gobin := goTool(t)
	fresh := filepath.Join(t.TempDir(), "pipeline_gen.go")
	cmd := exec.Command(gobin, "run", "gen_pipeline.go", "-o", fresh)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	want, err := os.ReadFile(fresh)
	require.NoError(t, err)
	have, err := os.ReadFile("pipeline_gen.go")
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, have), "pipeline_gen.go is stale: run go generate ./runtime/chassis")
}
