package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// commandTimeout bounds every go command a test runs.
const commandTimeout = 2 * time.Minute

// repoRoot returns the directory of kamgen's go.mod.
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

// offlineEnv is what every go command of these tests runs with: modules
// only from the module cache (kamgen's dependencies are there, since the
// repository builds), no workspace, no toolchain switch.
func offlineEnv() map[string]string {
	return map[string]string{
		"GOFLAGS":     strings.TrimSpace(os.Getenv("GOFLAGS") + " -mod=mod"),
		"GOPROXY":     "off",
		"GOWORK":      "off",
		"GOTOOLCHAIN": "local",
	}
}

// newModule writes a throwaway module in a temporary directory, the way a
// user's module depends on kamgen: go.mod requires github.com/kamgen/kamgen
// and replaces it with this repository; go.sum is the repository's, which
// covers kamgen's own dependencies. files maps names to contents.
func newModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	gomod := "module example.com/e2e\n\ngo 1.26.0\n\nrequire github.com/kamgen/kamgen v0.0.0\n\nreplace github.com/kamgen/kamgen => " + root + "\n"
	writeFile(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, "go.sum"), string(sum))
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// goRun runs a go command (or another program) in dir as goCmd does, and
// returns its combined output and its error instead of failing the test.
func goRun(t *testing.T, dir string, name string, args ...string) (string, error) {
	t.Helper()
	return goRunEnv(t, dir, nil, name, args...)
}

// goRunEnv is goRun with env set over offlineEnv.
func goRunEnv(t *testing.T, dir string, env map[string]string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range offlineEnv() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// tidy runs go mod tidy in mod as the guide has a user do it: with the
// module proxy, which tidy may need for the test dependencies of kamgen's
// dependencies (building kamgen never puts those in the module cache).
// kamgen itself comes from the replace directive, never from the proxy.
func tidy(t *testing.T, mod string) {
	t.Helper()
	out, err := goRunEnv(t, mod, map[string]string{"GOPROXY": os.Getenv("GOPROXY")}, "go", "mod", "tidy") // empty: Go's default proxy
	require.NoError(t, err, "go mod tidy in %s:\n%s", mod, out)
}

// goCmd runs a go command (or another program) in dir with offlineEnv,
// bounded by commandTimeout, and returns its combined output; it fails the
// test if the command fails.
func goCmd(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, err := goRun(t, dir, name, args...)
	require.NoError(t, err, "%s %s in %s:\n%s", name, strings.Join(args, " "), dir, out)
	return out
}
