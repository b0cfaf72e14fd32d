package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T) *extest.Server {
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
}

// Each chunk comes back after "munch"; a chunk containing "shutdown" is not
// answered and closes the connection. Each write waits for its answer, so
// that each is a chunk of its own.
func TestMunchesUntilShutdown(t *testing.T) {
	srv := start(t)
	c := extest.Dial(t, srv.Addr)
	for _, chunk := range []string{"hello\n", "crisps and apples\n", "x"} {
		extest.Write(t, c, chunk)
		assert.Equal(t, "munch"+chunk, extest.ReadN(t, c, len("munch"+chunk)))
	}
	extest.Write(t, c, "please shutdown now\n")
	assert.Empty(t, extest.ReadAll(t, c), "no answer to the shutdown, then the end")
}

// A client that leaves ends its handler; others are served as before.
func TestClientLeaves(t *testing.T) {
	srv := start(t)
	c := extest.Dial(t, srv.Addr)
	extest.Write(t, c, "bye\n")
	assert.Equal(t, "munchbye\n", extest.ReadN(t, c, len("munchbye\n")))
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	assert.Empty(t, extest.ReadAll(t, c))
	d := extest.Dial(t, srv.Addr)
	extest.Write(t, d, "next")
	assert.Equal(t, "munchnext", extest.ReadN(t, d, len("munchnext")))
}
