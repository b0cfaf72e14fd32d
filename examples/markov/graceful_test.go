package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/examples/internal/extest"
)

// Stopping the server (SIGTERM or SIGINT end run's context) is graceful:
// every client being served that sent complete lines before it gets a
// reply to each, then the connection closes. 1,000 clients, each served
// (it has had a first reply: a client still in the listen backlog when the
// listener closes is refused, as net/http's are), send 50 lines each.
func TestStopAnswersEveryLineAlreadySent(t *testing.T) {
	const clients, lines = 1000, 50
	srv := extest.Start(t, func(ctx context.Context, ready func(string)) error {
		return run(ctx, []string{"-addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, ready)
	})
	var batch strings.Builder
	for i := range lines {
		fmt.Fprintf(&batch, "line %d of the batch\n", i)
	}
	conns := make([]net.Conn, clients)
	readers := make([]*bufio.Reader, clients)
	for i := range conns {
		c := extest.Dial(t, srv.Addr)
		conns[i], readers[i] = c, bufio.NewReader(c)
		extest.Write(t, c, "hello\n")
	}
	for i, c := range conns {
		_, err := readers[i].ReadString('\n')
		require.NoError(t, err, "the first reply")
		extest.Write(t, c, batch.String())
	}
	// Every client's lines have reached the server's kernel (they were
	// written); stop it now, while it is answering them.
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Stop() }()
	var mu sync.Mutex
	got, short := 0, 0
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			_ = c.SetReadDeadline(time.Now().Add(extest.Deadline))
			n := 0
			r := readers[i]
			for {
				if _, err := r.ReadString('\n'); err != nil {
					if n < lines {
						t.Logf("client %d: %d replies, then %v", i, n, err)
					}
					break
				}
				n++
			}
			mu.Lock()
			got += n
			if n < lines {
				short++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	require.NoError(t, <-stopped)
	assert.Equal(t, clients*lines, got, "%d of %d clients got fewer replies than lines", short, clients)
}
