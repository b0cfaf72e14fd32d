package main

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/kamgen/kamgen/examples/chat/internal/chattest"
	"github.com/kamgen/kamgen/examples/internal/extest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func serveChat(t testing.TB) *extest.Server {
	return extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, ready)
	})
}

// The plain server holds the same conversation as examples/chat, byte for
// byte.
func TestConversation(t *testing.T) { chattest.Conversation(t, serveChat(t).Addr) }

// A client that never reads holds no one up, and is disconnected once its
// queue is full.
func TestNonReaderIsDisconnected(t *testing.T) { chattest.NonReader(t, serveChat(t).Addr) }

func TestStopClosesEveryConnection(t *testing.T) { chattest.StopCloses(t, serveChat(t)) }
