package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// e2eStages are three components: a threaded source, a reactive stage
// whose inbox handler returns an error, and a reactive sink.
const e2eStages = `package main

import (
	"context"
	"errors"
	"strings"

	"github.com/kamgen/kamgen/runtime/axon"
)

// Words sends its words, then a ProducerFinished.
type Words struct {
	axon.Component
	In      axon.Inbox[axon.None]    ` + "`inbox:\"inbox\"`" + `
	Control axon.Inbox[axon.Signal]  ` + "`inbox:\"control\"`" + `
	Out     axon.Outbox[string]      ` + "`outbox:\"outbox\"`" + `
	Signal  axon.Outbox[axon.Signal] ` + "`outbox:\"signal\"`" + `
	words   []string
}

func (w *Words) Main(ctx context.Context) error {
	for _, s := range w.words {
		if err := w.Out.Send(s); err != nil {
			return err
		}
	}
	return w.Signal.Send(&axon.ProducerFinished{Caller: w})
}

// Upper upper-cases words.
type Upper struct {
	axon.Component
	In      axon.Inbox[string]       ` + "`inbox:\"inbox\"`" + `   // words
	Control axon.Inbox[axon.Signal]  ` + "`inbox:\"control\"`" + ` // shutdown
	Out     axon.Outbox[string]      ` + "`outbox:\"outbox\"`" + ` // upper-case words
	Signal  axon.Outbox[axon.Signal] ` + "`outbox:\"signal\"`" + ` // shutdown, passed on
}

func (u *Upper) OnIn(s string) error {
	if s == "" {
		return errors.New("empty word")
	}
	return u.Out.Send(strings.ToUpper(s))
}

func (u *Upper) OnControl(sig axon.Signal) {
	u.Signal.Send(sig)
	u.Stop()
}

// Collect keeps what it is sent.
type Collect struct {
	axon.Component
	In      axon.Inbox[string]      ` + "`inbox:\"inbox\"`" + `
	Control axon.Inbox[axon.Signal] ` + "`inbox:\"control\"`" + `
	Got     []string
}

func (c *Collect) OnIn(s string)         { c.Got = append(c.Got, s) }
func (c *Collect) OnControl(axon.Signal) { c.Stop() }
`

const e2eMain = `package main

//go:generate go tool kamgen

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

func main() {
	src := NewWords()
	src.words = []string{"hello", "generated", "world"}
	up := NewUpper()
	sink := NewCollect()

	// Upper is a Stage: kamgen generated its standard-box accessors.
	var stage axon.Stage[string, string] = up
	links := []error{
		link(&src.Out, stage.StdInbox()),
		link(&src.Signal, stage.StdControl()),
		link(stage.StdOutbox(), &sink.In),
		link(stage.StdSignal(), &sink.Control),
	}
	for _, err := range links {
		if err != nil {
			fmt.Println("link:", err)
			os.Exit(1)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := axon.Run(ctx, src, up, sink)
	fmt.Println(strings.Join(sink.Got, " "))
	var boxes []string
	for _, b := range up.BoxTable() {
		boxes = append(boxes, fmt.Sprintf("%s/%s/%s", b.Name, b.Dir, b.Type))
	}
	fmt.Println("boxes:", strings.Join(boxes, " "))
	fmt.Println("run:", err, "timed out:", ctx.Err() != nil)
}

func link[T any](out *axon.Outbox[T], in *axon.Inbox[T]) error {
	_, err := axon.Link(out, in)
	return err
}
`

// TestEndToEnd does what a user does: add kamgen as a tool of a module,
// go generate, build, and run a program whose pipeline is made of
// generated components.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	mod := newModule(t, map[string]string{"stages.go": e2eStages, "main.go": e2eMain})

	goCmd(t, mod, "go", "get", "-tool", "github.com/kamgen/kamgen/cmd/kamgen")
	assert.Contains(t, readFile(t, filepath.Join(mod, "go.mod")), "\ntool github.com/kamgen/kamgen/cmd/kamgen\n")

	goCmd(t, mod, "go", "generate", "./...")
	assert.FileExists(t, filepath.Join(mod, "stages_kam.go"))
	assert.NoFileExists(t, filepath.Join(mod, "main_kam.go"), "main.go declares no component")

	goCmd(t, mod, "go", "tool", "kamgen", "-check")

	bin := filepath.Join(t.TempDir(), "e2e")
	goCmd(t, mod, "go", "build", "-o", bin, ".")
	out := goCmd(t, mod, bin)
	require.Equal(t, strings.Join([]string{
		"HELLO GENERATED WORLD",
		"boxes: inbox/inbox/string control/inbox/axon.Signal outbox/outbox/string signal/outbox/axon.Signal",
		"run: <nil> timed out: false",
		"",
	}, "\n"), out)
}

// staleSource is a component whose struct TestStaleGuard changes after
// generating, the way a user edits a struct and forgets go generate.
const staleSource = `package main

//go:generate go tool kamgen

import "github.com/kamgen/kamgen/runtime/axon"

// Client repeats what it hears in the room.
type Client struct {
	axon.Component
	Room    axon.Inbox[string]      ` + "`inbox:\"room\"`" + `
	Control axon.Inbox[axon.Signal] ` + "`inbox:\"control\"`" + `
	Out     axon.Outbox[string]     ` + "`outbox:\"outbox\"`" + `
	Peer    string                  ` + "`kam:\"peer\"`" + `
	seen    int
}

func (c *Client) OnRoom(m string)       { c.seen++; c.Out.Send(m) }
func (c *Client) OnControl(axon.Signal) { c.Stop() }

func main() { _ = NewClient() }
`

// TestStaleGuard shows what the compiler prints when a component's struct
// changed and kamgen did not run again: its first error names the fix
// (the guard's variable kamgenIsStale_RunGoGenerate) for a box's new
// message type and a removed box, and a field kamgen does not read may
// change without breaking the build.
func TestStaleGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds a program")
	}
	mod := newModule(t, map[string]string{"client.go": staleSource})
	goCmd(t, mod, "go", "run", "github.com/kamgen/kamgen/cmd/kamgen", ".")
	generated := readFile(t, filepath.Join(mod, "client_kam.go"))
	goCmd(t, mod, "go", "build", "-o", filepath.Join(t.TempDir(), "client"), ".")

	cases := []struct {
		name     string
		old, new []string // replaced in client.go, in order
		// want is in the compiler's first error; "" when the build must pass.
		want string
	}{
		{
			name: "a box's message type changed",
			old:  []string{"Room    axon.Inbox[string]", "OnRoom(m string)", "c.Out.Send(m)"},
			new:  []string{"Room    axon.Inbox[int]   ", "OnRoom(m int)   ", "_ = m"},
			want: "cannot use &kamgenIsStale_RunGoGenerate.Room (value of type *axon.Inbox[int]) as *axon.Inbox[string] value in variable declaration",
		},
		{
			name: "a box field removed",
			old:  []string{"\tOut     axon.Outbox[string]     `outbox:\"outbox\"`\n", "c.Out.Send(m)"},
			new:  []string{"", "_ = m"},
			want: "kamgenIsStale_RunGoGenerate.Out undefined (type Client has no field or method Out)",
		},
		{
			name: "an unexported field kamgen does not read changed",
			old:  []string{"seen    int"},
			new:  []string{"seen    int64"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := staleSource
			for i := range tc.old {
				require.Contains(t, src, tc.old[i])
				src = strings.Replace(src, tc.old[i], tc.new[i], 1)
			}
			writeFile(t, filepath.Join(mod, "client.go"), src)
			require.Equal(t, generated, readFile(t, filepath.Join(mod, "client_kam.go")), "the generated file must be the stale one")
			out, err := goRun(t, mod, "go", "build", "-o", filepath.Join(t.TempDir(), "client"), ".")
			t.Logf("go build prints:\n%s", out)
			if tc.want == "" {
				require.NoError(t, err, "the build must not break:\n%s", out)
				return
			}
			require.Error(t, err, "the build must break")
			first := firstError(out)
			assert.Contains(t, first, "client_kam.go:", "the first error is in the guard")
			assert.Contains(t, first, tc.want)
			assert.Less(t, len(first), 200, "the first error is one short line")
		})
	}
}

// firstError returns the first line of a go build's output that reports
// an error at a position.
func firstError(out string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.Contains(line, ".go:") {
			return line
		}
	}
	return ""
}

// linesSource is a component with two line-framed inboxes: one whose
// handler is given the bad lines too, one whose handler may fail.
const linesSource = `package main

//go:generate go tool kamgen

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/framing"
)

const maxLine = 8

// Lines notes the lines it is given.
type Lines struct {
	axon.Component
	In      axon.Inbox[[]byte]      ` + "`inbox:\"inbox,lines=maxLine\"`" + `
	Strict  axon.Inbox[[]byte]      ` + "`inbox:\"strict,lines=4\"`" + `
	Control axon.Inbox[axon.Signal] ` + "`inbox:\"control\"`" + `
	Got     []string
}

func (l *Lines) onIn(line []byte, err error) {
	if errors.Is(err, framing.ErrTooLong) {
		l.Got = append(l.Got, "<too long>")
		return
	}
	l.Got = append(l.Got, string(line))
}

func (l *Lines) OnStrict(line []byte) error {
	if string(line) == "bad" {
		return errors.New("bad line")
	}
	l.Got = append(l.Got, "strict:"+string(line))
	return nil
}

func (l *Lines) OnControl(axon.Signal) { l.Stop() }

func main() {
	l := NewLines()
	// Pieces cut anywhere, as the network cuts them.
	for _, p := range []string{"hel", "lo\r\nwor", "ld\n", "much too long\nok\n"} {
		l.In.Deliver([]byte(p))
	}
	l.Strict.Deliver([]byte("a\nb"))
	l.Strict.Deliver([]byte("\n"))
	l.Control.Deliver(&axon.ProducerFinished{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fmt.Println("run:", axon.Run(ctx, l))
	fmt.Println(strings.Join(l.Got, "|"))

	bad := NewLines()
	bad.Strict.Deliver([]byte("bad\n"))
	fmt.Println("bad run:", axon.Run(ctx, bad) != nil)
}
`

// TestLinesEndToEnd builds and runs a component with lines=N inboxes: its
// handlers are given whole lines however the bytes were cut, a line too
// long reaches the handler that takes errors, and a handler's error fails
// the component.
func TestLinesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("generates, builds and runs a program")
	}
	mod := newModule(t, map[string]string{"lines.go": linesSource})
	goCmd(t, mod, "go", "run", "github.com/kamgen/kamgen/cmd/kamgen", ".")
	bin := filepath.Join(t.TempDir(), "lines")
	goCmd(t, mod, "go", "build", "-o", bin, ".")
	out := goCmd(t, mod, bin)
	require.Equal(t, strings.Join([]string{
		"run: <nil>",
		"hello|world|<too long>|ok|strict:a|strict:b",
		"bad run: true",
		"",
	}, "\n"), out)
}
