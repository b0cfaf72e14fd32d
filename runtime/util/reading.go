package util

import (
	"bufio"
	"context"
	"errors"
	"io"
	"math"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// This file holds what the threaded readers of the package (ConsoleReader,
// ReadFileAdaptor, RateControlledFileReader) share: a goroutine that runs the
// reads, waits that keep watching control, pacing, and the shutdown
// convention.
//
// A read from a terminal or a pipe can block for ever, and nothing can
// interrupt it. Were Main to read itself, it could not honour a signal on
// control, nor return when the component is stopped, until the read came
// back. So Main hands each read to a helper goroutine and waits, with
// Component.Wait, for whichever comes first: the read's result (delivered
// into a private inbox, which wakes Main like any inbox does), a signal on
// control, a pacing timer (WakeAfter), or the end of its context.
//
// This is not axon.Go, on purpose: axon.Go is for reactive components, and
// a component that stops waits for its works, which is right for a store
// or a dial that honours its context but would hold a ConsoleReader's stop
// for ever on a terminal that nobody types into. Here the read is left
// behind when the component stops, and ends with the process or its
// source.

// maxLag bounds how far a paced reader may fall behind its schedule (a slow
// consumer, a loaded machine) before it gives up catching up: beyond it the
// schedule restarts from now rather than sending a burst.
const maxLag = 100 * time.Millisecond

// seconds converts a number of seconds to a Duration, saturating instead of
// overflowing for absurdly slow rates.
func seconds(s float64) time.Duration {
	if d := s * float64(time.Second); d < float64(math.MaxInt64) {
		return time.Duration(d)
	}
	return math.MaxInt64
}

// chunk is the result of one read: data, possibly with an error (io.EOF at
// the end of the source). Nil data means there is nothing to send; an empty,
// non-nil data is sent as an empty message.
type chunk struct {
	data []byte
	err  error
}

// reader runs reads for a threaded component's Main in a goroutine of its
// own. Main has at most one read in flight.
type reader struct {
	c       *axon.Component
	control *axon.Inbox[axon.Signal]
	jobs    chan func() chunk
	results *axon.Inbox[chunk] // private; capacity 1 is enough for one read in flight
	cancel  context.CancelFunc
	exited  chan struct{}
}

// startReader starts the helper goroutine. It ends when stop is called or
// ctx ends, once the read in flight (if any) has returned.
func startReader(ctx context.Context, c *axon.Component, control *axon.Inbox[axon.Signal]) *reader {
	ctx, cancel := context.WithCancel(ctx)
	r := &reader{
		c:       c,
		control: control,
		jobs:    make(chan func() chunk),
		results: axon.NewInbox[chunk](c, "reads", 1),
		cancel:  cancel,
		exited:  make(chan struct{}),
	}
	go r.loop(ctx)
	return r
}

func (r *reader) loop(ctx context.Context) {
	defer close(r.exited)
	for {
		select {
		case job := <-r.jobs:
			// Never blocks: Main waits for this result before it asks for
			// another read. Put only fails once ctx has ended.
			if r.results.Put(ctx, job()) != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

// stop ends the helper goroutine. With wait, it waits for the goroutine to
// return, which the caller may ask for only when the read in flight is known
// to return soon (the source is a regular file, or has been closed).
func (r *reader) stop(wait bool) {
	r.cancel()
	if wait {
		<-r.exited
	}
}

// read runs job in the helper goroutine and waits for its result. It returns
// early with a signal that arrived on control, or with ctx's error; the read
// then stays in flight until it returns by itself, and Main must not ask
// for another.
func (r *reader) read(ctx context.Context, job func() chunk) (chunk, axon.Signal, error) {
	if sig, ok := r.control.TryRecv(); ok {
		return chunk{}, sig, nil
	}
	select {
	case r.jobs <- job:
	case <-ctx.Done():
		return chunk{}, nil, ctx.Err()
	}
	for {
		if sig, ok := r.control.TryRecv(); ok {
			return chunk{}, sig, nil
		}
		if res, ok := r.results.TryRecv(); ok {
			return res, nil, nil
		}
		if err := r.c.Wait(ctx); err != nil {
			return chunk{}, nil, err
		}
	}
}

// sleepUntil waits until t, returning early with a signal that arrived on
// control, or with ctx's error.
func (r *reader) sleepUntil(ctx context.Context, t time.Time) (axon.Signal, error) {
	for {
		if sig, ok := r.control.TryRecv(); ok {
			return sig, nil
		}
		d := time.Until(t)
		if d <= 0 {
			return nil, nil
		}
		r.c.WakeAfter(d)
		if err := r.c.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// pump is the main loop of a reading component: it asks for a chunk with
// next (which runs in the helper goroutine), sends what it read on out, and
// again, one chunk every period (as fast as out takes them if period is
// zero). The first chunk is read at once.
//
// It returns nil when next reports io.EOF, the signal that arrived on
// control, next's error, or ctx's error. A chunk's data is sent before its
// error is looked at, so the last, short chunk of a source is never lost.
func (r *reader) pump(ctx context.Context, out *axon.Outbox[[]byte], period time.Duration, next func() chunk) (axon.Signal, error) {
	due := time.Now()
	for {
		if period > 0 {
			if sig, err := r.sleepUntil(ctx, due); sig != nil || err != nil {
				return sig, err
			}
		}
		res, sig, err := r.read(ctx, next)
		if sig != nil || err != nil {
			return sig, err
		}
		if res.data != nil {
			if err := out.Send(res.data); err != nil {
				return nil, err
			}
		}
		if errors.Is(res.err, io.EOF) {
			return nil, nil
		}
		if res.err != nil {
			return nil, res.err
		}
		if period > 0 {
			due = due.Add(period)
			if now := time.Now(); now.Sub(due) > maxLag {
				due = now
			}
		}
	}
}

// finish applies the package's shutdown convention when a reading
// component's loop has ended, and returns what Main should return:
//
//   - stopped by a signal on control: that signal is forwarded on signal;
//   - the source ended (err and sig nil): a new ProducerFinished from caller;
//   - the source failed: a ProducerFinished from caller whose Message is the
//     error, and the error is returned, so that the component fails with it;
//   - the component was stopped (ctx ended): nothing is sent.
//
// A Send interrupted because the component was stopped returns ctx's error,
// which the runtime does not record as a failure.
func finish(ctx context.Context, signal *axon.Outbox[axon.Signal], caller any, sig axon.Signal, err error) error {
	switch {
	case sig != nil:
		return signal.Send(sig)
	case ctx.Err() != nil:
		return ctx.Err()
	case err == nil:
		return signal.Send(&axon.ProducerFinished{Caller: caller})
	default:
		_ = signal.Send(&axon.ProducerFinished{Caller: caller, Message: err})
		return err
	}
}

// readFull reads up to n bytes from src, fewer only at the end of src, in
// which case the error is io.EOF.
func readFull(src io.Reader, n int) chunk {
	buf := make([]byte, n)
	got, err := io.ReadFull(src, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	if got == 0 {
		return chunk{err: err}
	}
	return chunk{data: buf[:got:got], err: err}
}

// readLine reads one line, with its "\n" (the last line of the input may
// have none).
func readLine(in *bufio.Reader) chunk {
	line, err := in.ReadBytes('\n')
	if len(line) == 0 {
		return chunk{err: err}
	}
	return chunk{data: line, err: err}
}
