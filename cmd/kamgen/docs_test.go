package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goBlocks returns the Go code blocks of a Markdown file, in order.
func goBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// savedAs returns the Go block that follows "Save this as `name`" in the
// guide.
func savedAs(t *testing.T, guide, name string) string {
	t.Helper()
	_, after, ok := strings.Cut(guide, "Save this as `"+name+"`")
	require.True(t, ok, "the guide no longer says where %s goes", name)
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(after)
	require.NotNil(t, m, "no Go block after the guide's %s", name)
	return m[1]
}

// runWithInput builds the module's program and runs it with args, input on
// its standard input, and returns its standard output.
func runWithInput(t *testing.T, mod, input string, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "prog")
	goCmd(t, mod, "go", "build", "-o", bin, ".")
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.Output()
	require.NoError(t, err, "%s %v: %s", bin, args, out)
	return string(out)
}

// TestGuideBuildsAndChats follows docs/guide.md as a new user does: its
// three files in a module of their own, go generate, go build, and a chat
// on the console.
func TestGuideBuildsAndChats(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "guide.md"))
	require.NoError(t, err)
	guide := string(b)
	mod := newModule(t, map[string]string{
		"chain.go":  savedAs(t, guide, "chain.go"),
		"chatty.go": savedAs(t, guide, "chatty.go"),
		"main.go":   savedAs(t, guide, "main.go"),
	})
	goCmd(t, mod, "go", "mod", "edit", "-tool", "github.com/kamgen/kamgen/cmd/kamgen")
	tidy(t, mod)
	goCmd(t, mod, "go", "generate", "./...")
	goCmd(t, mod, "go", "tool", "kamgen", "-check")
	out := runWithInput(t, mod, "the cat sat on the mat\n", "-console")
	assert.Contains(t, out, "the cat sat on the mat\n", "a chain that learnt one line says it back")
}

// TestReadmeShouter runs the README's Shouter, as it is printed there, in
// the pipeline the README shows.
func TestReadmeShouter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	blocks := goBlocks(t, filepath.Join(repoRoot(t), "README.md"))
	require.GreaterOrEqual(t, len(blocks), 3, "the README's tour has the component, the pipeline and the server")
	require.Contains(t, blocks[0], "type Shouter struct")
	require.Contains(t, blocks[1], "chassis.Pipeline3")
	require.Contains(t, blocks[2], "chassis.NewServerCore")
	src := "package main\n\nimport (\n\t\"bytes\"\n\t\"context\"\n\t\"fmt\"\n\t\"os\"\n\n" +
		"\t\"github.com/kamgen/kamgen/runtime/axon\"\n\t\"github.com/kamgen/kamgen/runtime/chassis\"\n\t\"github.com/kamgen/kamgen/runtime/util\"\n)\n\n" +
		blocks[0] + "\nfunc main() {\n\tctx := context.Background()\n\tif len(os.Args) > 1 {\n\t\tif err := serve(ctx); err != nil {\n\t\t\tfmt.Println(err)\n\t\t}\n\t\treturn\n\t}\n" +
		blocks[1] + "\n\tif err != nil {\n\t\tfmt.Println(err)\n\t}\n}\n\n" +
		"func serve(ctx context.Context) error {\n" + blocks[2] + "\n\treturn err\n}\n\nvar _ = bytes.ToUpper\n"
	mod := newModule(t, map[string]string{"shouter.go": src})
	goCmd(t, mod, "go", "mod", "edit", "-tool", "github.com/kamgen/kamgen/cmd/kamgen")
	tidy(t, mod)
	goCmd(t, mod, "go", "generate", "./...")
	out := runWithInput(t, mod, "hello\nwide world\n")
	assert.Contains(t, out, "HELLO\n")
	assert.Contains(t, out, "WIDE WORLD\n")
}
