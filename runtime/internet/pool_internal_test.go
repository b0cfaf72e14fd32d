package internet

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/internal/links"
	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// poolEcho echoes, and ends when its connection does.
type poolEcho struct {
	axon.Component
	In      axon.Inbox[[]byte]
	Control axon.Inbox[axon.Signal]
	Out     axon.Outbox[[]byte]
	Signal  axon.Outbox[axon.Signal]
}

func (e *poolEcho) Dispatch(t *axon.Turn) {
	axon.Serve(t, &e.In, func(b []byte) { e.Out.Send(b) })
	axon.ServeLast(t, &e.Control, func(sig axon.Signal) {
		e.Signal.Send(&axon.ProducerFinished{}) // close, after what was sent
		e.Stop()
	})
}

// The server budget counts what its connections hold and nothing more:
// once every connection has gone (echoed and closed, flooded and reset,
// or closed while the server was stopped reading it), its count is back
// to zero, so that a server that has served many clients does not stop
// reading for a budget spent by connections long gone.
func TestServerBudgetIsReturnedWhenConnectionsGo(t *testing.T) {
	opts := ConnOptions{Budget: 64 << 10, ServerBudget: 256 << 10, CloseTimeout: time.Second}.withDefaults()
	p, err := poll.Default()
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	l, err := p.Listen("tcp", "127.0.0.1:0", poll.ListenConfig{})
	require.NoError(t, err)
	defer l.Close()
	rt := axontest.Runtime(t, axon.WithLogger(slog.New(slog.DiscardHandler)))

	lw := make(chan struct{}, 1)
	require.NoError(t, l.Watch(poolWatcher(lw)))
	var parts []*axon.Component
	accept := func() {
		for {
			conn, err := l.Accept()
			if errors.Is(err, poll.ErrWouldBlock) {
				select {
				case <-lw:
				case <-time.After(10 * time.Second):
					t.Fatal("no connection to accept")
				}
				continue
			}
			require.NoError(t, err)
			csa := newCSA(conn, &opts)
			h := &poolEcho{}
			h.In.Init(&h.Component, "inbox", 0)
			h.Control.Init(&h.Component, "control", 0)
			h.Out.Init(&h.Component, "outbox", 0)
			h.Signal.Init(&h.Component, "signal", 0)
			require.NoError(t, errors.Join(
				links.Join(&csa.Out, &h.In),
				links.Join(&h.Out, &csa.In),
				links.Join(&h.Signal, &csa.Control),
				links.Join(&csa.Signal, &h.Control),
			))
			require.NoError(t, rt.Activate(csa, h))
			parts = append(parts, &csa.Component, &h.Component)
			return
		}
	}

	const n = 60
	var wg sync.WaitGroup
	for i := range n {
		c, err := net.DialTimeout("tcp", l.Addr().String(), 10*time.Second)
		require.NoError(t, err)
		accept()
		tc := c.(*net.TCPConn)
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		wg.Go(func() {
			defer tc.Close()
			chunk := make([]byte, 64<<10)
			switch i % 3 {
			case 0: // echo, then half-close and read the rest
				go func() { _, _ = tc.Write(chunk); _ = tc.CloseWrite() }()
				_, _ = io.Copy(io.Discard, tc)
			case 1: // flood, never read, then reset
				_ = tc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
				for {
					if _, err := tc.Write(chunk); err != nil {
						break
					}
				}
				_ = tc.SetLinger(0)
			default: // flood, never read, then close
				_ = tc.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
				for {
					if _, err := tc.Write(chunk); err != nil {
						break
					}
				}
			}
		})
	}
	wg.Wait()
	for _, c := range parts {
		select {
		case <-c.Done():
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not finish", c.Name())
		}
	}
	require.Zero(t, opts.pool.Used.Load(), "bytes still counted once every connection has gone")
}

// poolWatcher wakes the accepting test.
type poolWatcher chan struct{}

func (w poolWatcher) Ready(poll.Events) {
	select {
	case w <- struct{}{}:
	default:
	}
}
