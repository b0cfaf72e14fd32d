package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// One message in, one answer out, then the server closes the connection;
// it goes on serving other clients.
func TestAnswersOneMessageThenCloses(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	for _, msg := range []string{"hello\n", "finger kamgen\r\n"} {
		c := extest.Dial(t, srv.Addr)
		extest.Write(t, c, msg)
		assert.Equal(t, "You sent the message:"+msg, extest.ReadAll(t, c))
	}
}

// A client that leaves without a word costs nothing: the server serves the
// next one.
func TestClientThatSendsNothing(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
	c := extest.Dial(t, srv.Addr)
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	assert.Empty(t, extest.ReadAll(t, c), "nothing to answer")
	c = extest.Dial(t, srv.Addr)
	extest.Write(t, c, "still there?")
	assert.Equal(t, "You sent the message:still there?", extest.ReadAll(t, c))
}
