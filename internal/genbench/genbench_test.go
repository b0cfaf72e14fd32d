// Package genbench measures kamgen the way a user meets it: the command,
// run warm on a package, against stringer on the same package in the same
// run, and kamgen's cost as the number of components grows.
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/genbench
package genbench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// build compiles a command of this module (or its dependencies) into dir.
func build(b *testing.B, dir, pkg string) string {
	b.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("go build %s: %v", pkg, err)
	}
	return out
}

// writePackage writes a package of n reactive components and one enum type
// for stringer under testdata (removed when the benchmark ends), and
// returns its directory relative to the module root.
func writePackage(b *testing.B, n int) string {
	b.Helper()
	rel := filepath.Join("internal", "genbench", "testdata", fmt.Sprintf("pkg%d", n))
	dir := filepath.Join(root(b), rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(filepath.Dir(dir)) })
	var src strings.Builder
	src.WriteString("package pkg\n\nimport \"github.com/kamgen/kamgen/runtime/axon\"\n\n")
	src.WriteString("// Color is for stringer.\ntype Color int\n\nconst (\n\tRed Color = iota\n\tGreen\n\tBlue\n)\n")
	for i := range n {
		fmt.Fprintf(&src, `
// C%[1]d is component number %[1]d.
type C%[1]d struct {
	axon.Component
	In      axon.Inbox[[]byte]       `+"`inbox:\"inbox\"`"+`   // data in
	Control axon.Inbox[axon.Signal]  `+"`inbox:\"control\"`"+` // signals in
	Out     axon.Outbox[[]byte]      `+"`outbox:\"outbox\"`"+` // data out
	Signal  axon.Outbox[axon.Signal] `+"`outbox:\"signal\"`"+` // signals out
	Peer    string                   `+"`kam:\"peer\"`"+`
}

func (c *C%[1]d) OnIn(m []byte)            { c.Out.Send(m) }
func (c *C%[1]d) OnControl(s axon.Signal) { c.Signal.Send(s); c.Stop() }
`, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "pkg.go"), []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	return rel
}

func root(b *testing.B) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// run runs a command from the module root; it fails the benchmark if the
// command fails.
func run(b *testing.B, dir string, name string, args ...string) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// BenchmarkKamgenVsStringer times a warm run of each tool on the same
// package of eight components.
func BenchmarkKamgenVsStringer(b *testing.B) {
	bin := b.TempDir()
	kamgen := build(b, bin, "github.com/kamgen/kamgen/cmd/kamgen")
	stringer := build(b, bin, "golang.org/x/tools/cmd/stringer")
	top := root(b)
	pkg := "./" + writePackage(b, 8)
	for _, tool := range []struct {
		name string
		bin  string
		args []string
	}{
		{"kamgen", kamgen, []string{pkg}},
		{"stringer", stringer, []string{"-type=Color", pkg}},
	} {
		b.Run(tool.name, func(b *testing.B) {
			run(b, top, tool.bin, tool.args...) // warm the build cache
			b.ResetTimer()
			for range b.N {
				run(b, top, tool.bin, tool.args...)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
		})
	}
}

// BenchmarkKamgenComponents times a warm kamgen run on packages of 10, 100
// and 1,000 components: the cost should grow linearly.
func BenchmarkKamgenComponents(b *testing.B) {
	kamgen := build(b, b.TempDir(), "github.com/kamgen/kamgen/cmd/kamgen")
	top := root(b)
	for _, n := range []int{10, 100, 1000} {
		pkg := "./" + writePackage(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			run(b, top, kamgen, pkg)
			// A fresh generation each time: remove the output first.
			out := filepath.Join(top, pkg, "pkg_kam.go")
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				os.Remove(out)
				b.StartTimer()
				run(b, top, kamgen, pkg)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
		})
	}
}
