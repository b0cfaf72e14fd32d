package util

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
)

// ReadMode says how a reading component cuts what it reads into messages.
type ReadMode string

// The read modes. ReadFileAdaptor takes ModeLine, ModeBitrate and ModeBlock;
// RateControlledFileReader takes ModeBytes and ModeLines.
const (
	// ModeLine sends one line per message, with its "\n".
	ModeLine ReadMode = "line"
	// ModeBitrate sends Bitrate/8/ChunkRate bytes, ChunkRate times a second.
	ModeBitrate ReadMode = "bitrate"
	// ModeBlock sends ReadSize bytes every StepTime.
	ModeBlock ReadMode = "block"
	// ModeBytes counts a RateControlledFileReader's rate in bytes.
	ModeBytes ReadMode = "bytes"
	// ModeLines counts a RateControlledFileReader's rate in lines.
	ModeLines ReadMode = "lines"
)

// ReadFileAdaptor reads a file, the output of a command, or its standard
// input, and sends what it reads out of its "outbox" as []byte: line by
// line, or in blocks at a steady pace (a bit rate, for streaming media).
//
// Example: stream a file to every client of a server at 400 kbit/s:
//
//	r := util.NewReadFileAdaptor("song.ogg")
//	r.ReadMode = util.ModeBitrate
//	r.Bitrate = 400000
//
// and the lines a command prints:
//
//	r := util.NewReadFileAdaptor("")
//	r.Command = []string{"ls", "-l"}
//
// # How does it work?
//
// The source is the file named Filename (read as bytes) if it is set, else
// the standard output of Command (run without a shell; its standard error is
// discarded), else Reader (os.Stdin if nil).
//
// ReadMode says how it reads:
//
//   - ModeLine (the default, also ""): one line per message, ending with its
//     "\n" (the last line may have none).
//   - ModeBitrate: Bitrate/8/ChunkRate bytes per message, one message every
//     1/ChunkRate seconds.
//   - ModeBlock: ReadSize bytes per message.
//
// In ModeLine and ModeBlock one message is read every StepTime, or as fast
// as "outbox" takes them when StepTime is zero. Only the last block of the
// source may be short. Pacing follows a schedule kept by timers: the first
// message is sent at once, message n at n periods after it; when it falls
// far behind (a slow consumer) it restarts the schedule rather than send a
// burst. It never polls the clock.
//
// At the end of the source it sends a ProducerFinished on "signal" and
// finishes. If the file cannot be opened, the command cannot be started or
// exits with an error, or a read fails, it sends a ProducerFinished whose
// Message is the error, and fails with that error. A bad configuration (an
// unknown ReadMode, a rate of zero) is reported the same way.
//
// Unlike Kamaelia's, it honours "control": any signal stops it at once
// (a command is killed), and is forwarded on "signal". Stop stops it too,
// sending nothing. On Reader or os.Stdin a read that is waiting for input
// cannot be interrupted: see the package documentation.
//
// Configure it through its exported fields after NewReadFileAdaptor and
// before activation.
type ReadFileAdaptor struct {
	axon.Component
	In      axon.Inbox[axon.None]    `inbox:"inbox"`   // not used
	Control axon.Inbox[axon.Signal]  `inbox:"control"` // any signal stops it and is forwarded
	Out     axon.Outbox[[]byte]      `outbox:"outbox"` // a line or a block per message
	Signal  axon.Outbox[axon.Signal] `outbox:"signal"` // ProducerFinished at the end, or the forwarded signal

	// Filename is the file to read. It wins over Command and Reader.
	Filename string
	// Command is a program and its arguments (no shell) whose standard
	// output is read, when Filename is empty.
	Command []string
	// Reader is read when Filename and Command are both empty. Nil means
	// os.Stdin.
	Reader io.Reader

	// ReadMode is ModeLine (default), ModeBitrate or ModeBlock.
	ReadMode ReadMode
	// ReadSize is the size of a block in ModeBlock. Default 1450.
	ReadSize int
	// StepTime is the time between two messages in ModeLine and ModeBlock.
	// Default 0: as fast as they are taken.
	StepTime time.Duration
	// Bitrate is the rate in ModeBitrate, in bits per second. Default 65536.
	Bitrate float64
	// ChunkRate is the number of messages per second in ModeBitrate.
	// Default 24.
	ChunkRate float64
}

var _ axon.Stage[axon.None, []byte] = (*ReadFileAdaptor)(nil)

// NewReadFileAdaptor returns a ReadFileAdaptor that reads filename line by
// line with Kamaelia's defaults. With filename "" it reads Command's output
// if Command is set, else its standard input.
func NewReadFileAdaptor(filename string) *ReadFileAdaptor {
	r := &ReadFileAdaptor{
		Filename:  filename,
		ReadMode:  ModeLine,
		ReadSize:  1450,
		Bitrate:   65536,
		ChunkRate: 24,
	}
	r.initBoxes()
	return r
}

// Main opens the source and sends what it reads until the source ends, a
// signal arrives, or the component is stopped.
func (r *ReadFileAdaptor) Main(ctx context.Context) error {
	sig, err := r.run(ctx)
	if err != nil && ctx.Err() == nil {
		err = fmt.Errorf("util: ReadFileAdaptor: %w", err)
	}
	return finish(ctx, &r.Signal, r, sig, err)
}

func (r *ReadFileAdaptor) run(ctx context.Context) (axon.Signal, error) {
	size, period, err := r.pacing()
	if err != nil {
		return nil, err
	}
	src, err := r.open(ctx)
	if err != nil {
		return nil, err
	}
	rd := startReader(ctx, &r.Component, &r.Control)
	var next func() chunk
	if r.ReadMode == ModeLine || r.ReadMode == "" {
		lines := bufio.NewReader(src.r)
		next = func() chunk { return readLine(lines) }
	} else {
		next = func() chunk { return readFull(src.r, size) }
	}
	sig, err := rd.pump(ctx, &r.Out, period, next)
	// Ending the source ends the read in flight, so the helper can be
	// waited for; except on a Reader, which may block for ever.
	closeErr := src.close(err == nil && sig == nil)
	rd.stop(src.interruptible)
	if err == nil && sig == nil {
		err = closeErr
	}
	return sig, err
}

// pacing returns the block size (for ModeBitrate and ModeBlock) and the
// time between two messages.
func (r *ReadFileAdaptor) pacing() (size int, period time.Duration, err error) {
	switch r.ReadMode {
	case ModeLine, "":
		return 0, max(r.StepTime, 0), nil
	case ModeBlock:
		if r.ReadSize <= 0 {
			return 0, 0, fmt.Errorf("ReadSize %d: must be positive", r.ReadSize)
		}
		return r.ReadSize, max(r.StepTime, 0), nil
	case ModeBitrate:
		if !(r.Bitrate > 0) || !(r.ChunkRate > 0) {
			return 0, 0, fmt.Errorf("the Bitrate %v and the ChunkRate %v must both be positive", r.Bitrate, r.ChunkRate)
		}
		size = max(int(r.Bitrate/8/r.ChunkRate), 1)
		return size, seconds(1 / r.ChunkRate), nil
	default:
		return 0, 0, fmt.Errorf("unknown ReadMode %q: want %q, %q or %q", r.ReadMode, ModeLine, ModeBitrate, ModeBlock)
	}
}

// source is what a ReadFileAdaptor reads, and how to let go of it.
type source struct {
	r io.Reader
	// close releases the source. atEnd tells that everything was read, so
	// that a command may be waited for and its exit status reported;
	// otherwise the command is killed and its status ignored.
	close func(atEnd bool) error
	// interruptible tells that after close any read in flight returns
	// promptly.
	interruptible bool
}

func (r *ReadFileAdaptor) open(ctx context.Context) (*source, error) {
	switch {
	case r.Filename != "":
		f, err := os.Open(r.Filename)
		if err != nil {
			return nil, err
		}
		return &source{r: f, close: func(bool) error { return f.Close() }, interruptible: true}, nil
	case len(r.Command) > 0:
		// The command's context ends when the adaptor stops, or when close
		// kills it.
		cctx, kill := context.WithCancel(ctx)
		cmd := exec.CommandContext(cctx, r.Command[0], r.Command[1:]...)
		out, err := cmd.StdoutPipe()
		if err == nil {
			err = cmd.Start()
		}
		if err != nil {
			kill()
			return nil, err
		}
		return &source{r: out, close: func(atEnd bool) error {
			if !atEnd {
				kill()
			}
			// Wait closes the pipe, which ends a read still in flight.
			err := cmd.Wait()
			kill()
			if !atEnd || err == nil {
				return nil
			}
			return fmt.Errorf("command %q: %w", r.Command[0], err)
		}, interruptible: true}, nil
	default:
		in := r.Reader
		if in == nil {
			in = os.Stdin
		}
		// Not ours to close.
		return &source{r: in, close: func(bool) error { return nil }}, nil
	}
}
