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
	return w.Signal.Send(axon.Finished(w))
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
