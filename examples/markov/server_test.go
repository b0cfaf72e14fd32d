package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/exmain"
	"github.com/kamgen/kamgen/examples/internal/extest"
)

// Over TCP, Chatty answers per line: a line split across two writes counts
// once, two lines in one write count twice, and when the client closes its
// side it still gets every reply before the server closes.
func TestServerRepliesPerLine(t *testing.T) {
	store := &countingStore{MemoryStore: NewMemoryStore()}
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return serve(ctx, exmain.Observe{}, "127.0.0.1:0", &Chain{Store: store}, ready)
	})
	c := newChatter(t, srv.Addr)
	extest.Write(t, c.conn, "hello wo")
	extest.Write(t, c.conn, "rld\r\n")
	assert.Equal(t, "hello world\n", c.readLine(), "the only line learnt so far")
	extest.Write(t, c.conn, "one\ntwo\n")
	require.NoError(t, c.conn.(interface{ CloseWrite() error }).CloseWrite())
	rest := extest.ReadAll(t, c.r)
	replies := strings.SplitAfter(rest, "\n")
	require.Len(t, replies, 3, "two replies, then the end: %q", rest)
	assert.Empty(t, replies[2])
	for _, r := range replies[:2] {
		assert.Contains(t, []string{"hello world\n", "one\n", "two\n"}, r)
	}
	assert.Equal(t, []string{"hello world", "one", "two"}, store.lines())
}

// run with no flag serves TCP with the chain in memory, and every
// connection shares the chain.
func TestClientsShareTheChain(t *testing.T) {
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, ready)
	})
	a, b := newChatter(t, srv.Addr), newChatter(t, srv.Addr)
	assert.Equal(t, "\n", b.say("\n"), "an empty chain says nothing")
	assert.Equal(t, "the cat sat on the mat\n", a.say("the cat sat on the mat\n"))
	assert.Equal(t, "the cat sat on the mat\n", b.say("\n"), "b hears what a taught")
}
