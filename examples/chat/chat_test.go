package main

import (
	"context"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/chat/internal/chattest"
	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// user is a chat client on a real socket.
type user = chattest.User

// join connects to the chat at addr and reads the welcome.
func join(t testing.TB, addr string) *user { return chattest.Join(t, addr) }

func serveChat(t testing.TB, args ...string) *extest.Server {
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), ready)
	})
}

// TestConversation: three clients hear each other's lines in order, and
// every command, notice and limit.
func TestConversation(t *testing.T) { chattest.Conversation(t, serveChat(t).Addr) }

// TestNonReaderSlowsNoOne: a client that never reads does not hold up the
// lines of the others, before or after its socket and the server's
// buffers for it are full; once the lines waiting for it reach
// util.DefaultPolicy's bound it is disconnected, and the server's memory
// stays bounded meanwhile.
func TestNonReaderSlowsNoOne(t *testing.T) {
	addr := serveChat(t).Addr
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// The kernel's buffers for it hold about 4 MB, its subscription 1,024
	// lines: it goes after four batches of 1 MB at least.
	batches := chattest.NonReader(t, addr)
	assert.GreaterOrEqual(t, batches, 4, "it was disconnected only once its socket was full")
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapInuse) - int64(before.HeapInuse)
	t.Logf("the heap grew by %d KiB", grew>>10)
	assert.Less(t, grew, int64(16<<20), "what waits for the client that never reads is bounded")
}

func TestStopClosesEveryConnection(t *testing.T) { chattest.StopCloses(t, serveChat(t)) }
