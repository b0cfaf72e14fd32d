package util

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// RateControlledFileReader reads a file at a steady rate, counted in bytes
// or in lines, and sends it out of its "outbox" in chunks of []byte. It
// feeds a network client or a decoder no faster than they should take it.
//
// Example: send a file to a server at 100 kB/s (TCPClient is in
// runtime/internet):
//
//	r := util.NewRateControlledFileReader("myfile")
//	r.Rate = 100000
//	axon.Link(&r.Out, &client.In)
//	axon.Link(&r.Signal, &client.Control)
//
// and replay a log ten lines a second, one line per message:
//
//	r := util.NewRateControlledFileReader("server.log")
//	r.ReadMode = util.ModeLines
//	r.Rate = 10
//	r.ChunkSize = 1
//
// # How does it work?
//
// Rate is counted in items per second: bytes in ModeBytes (the default),
// lines in ModeLines. Each message is a chunk of ChunkSize items: in
// ModeBytes, ChunkSize bytes; in ModeLines, ChunkSize lines, each keeping
// its "\n", joined into one []byte (with ChunkSize 1, one line per message).
// Only the last chunk of the file may be short. Chunks are sent
// ChunkSize/Rate seconds apart, so Rate items go out every second.
//
// Give ChunkSize or ChunkRate (chunks per second, so ChunkSize is
// Rate/ChunkRate), not both. With neither, ChunkSize is Rate/1000: a
// thousand chunks a second. ChunkSize is never less than 1.
//
// Pacing follows a schedule kept by timers: the first chunk is sent at once,
// chunk n at n periods after it; when it falls far behind (a slow consumer)
// it restarts the schedule rather than send a burst. It never polls the
// clock. Kamaelia built this component from two (a rate controller that
// busy-looped, and a prompted file reader) and its "lines" mode failed at
// once on Python 3 (spec L8); here it is one threaded component and both
// modes work.
//
// At the end of the file it sends a ProducerFinished on "signal" and
// finishes. If the file cannot be opened or read, or the configuration is
// wrong, it sends a ProducerFinished whose Message is the error, and fails
// with that error. Any signal on "control" (Kamaelia's listened for
// ShutdownMicroprocess) stops it at once and is forwarded on "signal"; Stop
// stops it too, sending nothing.
//
// Configure it through its exported fields after
// NewRateControlledFileReader and before activation.
type RateControlledFileReader struct {
	axon.Component
	In      axon.Inbox[axon.None]    `inbox:"inbox"`   // not used
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops it and is forwarded
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // the file in chunks
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // ProducerFinished at the end, or the forwarded signal

	// Filename is the file to read.
	Filename string
	// ReadMode is ModeBytes (default, also "") or ModeLines: what Rate
	// and ChunkSize count.
	ReadMode ReadMode
	// Rate is the number of items (bytes or lines) sent per second.
	// Default 100000.
	Rate float64
	// ChunkSize is the number of items per message. Zero means
	// Rate/ChunkRate if ChunkRate is set, else Rate/1000; never less than 1.
	ChunkSize int
	// ChunkRate is the number of messages per second, an alternative to
	// ChunkSize. Default 0: unset.
	ChunkRate float64
}

var _ axon.Stage[axon.None, []byte] = (*RateControlledFileReader)(nil)

// NewRateControlledFileReader returns a RateControlledFileReader that reads
// filename in bytes at Kamaelia's default rate: 100000 bytes a second, in
// chunks of 100.
func NewRateControlledFileReader(filename string) *RateControlledFileReader {
	r := &RateControlledFileReader{Filename: filename, ReadMode: ModeBytes, Rate: 100000}
	r.initBoxes()
	return r
}

// Main opens the file and sends it chunk by chunk until it ends, a signal
// arrives, or the component is stopped.
func (r *RateControlledFileReader) Main(ctx context.Context) error {
	sig, err := r.run(ctx)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("util: RateControlledFileReader: %w", err)
	}
	return finish(ctx, &r.Signal, r, sig, err)
}

func (r *RateControlledFileReader) run(ctx context.Context) (axon.Signal, error) {
	size, period, err := r.pacing()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(r.Filename)
	if err != nil {
		return nil, err
	}
	rd := startReader(ctx, &r.Component, &r.Control)
	var next func() chunk
	if r.ReadMode == ModeLines {
		lines := bufio.NewReader(f)
		next = func() chunk { return readLines(lines, size) }
	} else {
		next = func() chunk { return readFull(f, size) }
	}
	sig, err := rd.pump(ctx, &r.Out, period, next)
	closeErr := f.Close()
	rd.stop(true) // a read from a closed regular file returns at once
	if err == nil && sig == nil {
		err = closeErr
	}
	return sig, err
}

// pacing returns the chunk size, in items, and the time between two chunks.
func (r *RateControlledFileReader) pacing() (size int, period time.Duration, err error) {
	switch r.ReadMode {
	case ModeBytes, ModeLines, "":
	default:
		return 0, 0, fmt.Errorf("unknown ReadMode %q: want %q or %q", r.ReadMode, ModeBytes, ModeLines)
	}
	switch {
	case !(r.Rate > 0):
		return 0, 0, fmt.Errorf("the Rate %v must be positive", r.Rate)
	case r.ChunkSize < 0 || r.ChunkRate < 0:
		return 0, 0, fmt.Errorf("ChunkSize %d, ChunkRate %v: must not be negative", r.ChunkSize, r.ChunkRate)
	case r.ChunkSize > 0 && r.ChunkRate > 0:
		return 0, 0, fmt.Errorf("ChunkSize %d and ChunkRate %v: give one, not both", r.ChunkSize, r.ChunkRate)
	case r.ChunkSize > 0:
		size = r.ChunkSize
	case r.ChunkRate > 0:
		size = int(r.Rate / r.ChunkRate)
	default:
		size = int(r.Rate / 1000)
	}
	size = max(size, 1)
	// size items every size/Rate seconds is Rate items a second, even when
	// size was rounded.
	return size, seconds(float64(size) / r.Rate), nil
}

// readLines reads up to n lines, each with its "\n", joined; fewer only at
// the end of the input, in which case the error is io.EOF.
func readLines(in *bufio.Reader, n int) chunk {
	var data []byte
	for range n {
		line := readLine(in)
		if data == nil {
			data = line.data // ReadBytes' own copy
		} else {
			data = append(data, line.data...)
		}
		if line.err != nil {
			return chunk{data: data, err: line.err}
		}
	}
	return chunk{data: data}
}
