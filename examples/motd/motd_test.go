package main

import (
	"context"
	"io"
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

// Every client gets the seed's message, byte for byte, then the server
// closes the connection; the server goes on serving.
func TestEachClientGetsTheMessageThenTheConnectionCloses(t *testing.T) {
	srv := start(t)
	for range 3 {
		c := extest.Dial(t, srv.Addr)
		assert.Equal(t, "Hello, this is the message of the day\n\nBye Bye!\n", extest.ReadAll(t, c))
	}
}

// What a client sends does not matter: it still gets the message, once,
// and then the connection ends cleanly: the server reads what the client
// sent until the client closes, so the kernel never answers with a reset.
func TestTheClientsWordsAreIgnored(t *testing.T) {
	srv := start(t)
	c := extest.Dial(t, srv.Addr)
	extest.Write(t, c, "hello?\n")
	assert.Equal(t, Message, extest.ReadN(t, c, len(Message)))
	rest, err := io.ReadAll(c)
	assert.Empty(t, rest, "nothing after the message")
	assert.NoError(t, err, "a clean close, not a reset")
}
