package util_test

import (
	"errors"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

func TestReadFileAdaptorDefaults(t *testing.T) {
	r := util.NewReadFileAdaptor("f")
	require.Equal(t, "f", r.Filename)
	require.Equal(t, util.ModeLine, r.ReadMode)
	require.Equal(t, 1450, r.ReadSize)
	require.Zero(t, r.StepTime)
	require.InDelta(t, 65536, r.Bitrate, 0)
	require.InDelta(t, 24, r.ChunkRate, 0)
}

func TestReadFileAdaptorLines(t *testing.T) {
	name := writeFile(t, "a\nbb\n\nccc")
	got, _ := readPaced(t, util.NewReadFileAdaptor(name))
	require.Equal(t, []string{"a\n", "bb\n", "\n", "ccc"}, got)
}

func TestReadFileAdaptorEmptyFile(t *testing.T) {
	for _, mode := range []util.ReadMode{util.ModeLine, util.ModeBlock, util.ModeBitrate} {
		t.Run(string(mode), func(t *testing.T) {
			r := util.NewReadFileAdaptor(writeFile(t, ""))
			r.ReadMode = mode
			got, _ := readPaced(t, r)
			require.Empty(t, got)
		})
	}
}

func TestReadFileAdaptorBlocks(t *testing.T) {
	r := util.NewReadFileAdaptor(writeFile(t, "0123456789"))
	r.ReadMode = util.ModeBlock
	r.ReadSize = 4
	got, _ := readPaced(t, r)
	require.Equal(t, []string{"0123", "4567", "89"}, got)
}

// Pacing is exact on the test's clock: block n is read n steps after the
// first, and the end of the file a step after the last.
func TestReadFileAdaptorBlocksPacedByStepTime(t *testing.T) {
	r := util.NewReadFileAdaptor(writeFile(t, "aabbccdd"))
	r.ReadMode = util.ModeBlock
	r.ReadSize = 2
	r.StepTime = 20 * time.Millisecond
	got, took := readPaced(t, r)
	require.Equal(t, []string{"aa", "bb", "cc", "dd"}, got)
	require.Equal(t, 4*r.StepTime, took)
}

func TestReadFileAdaptorLinesPacedByStepTime(t *testing.T) {
	r := util.NewReadFileAdaptor(writeFile(t, "1\n2\n3\n"))
	r.StepTime = 25 * time.Millisecond
	got, took := readPaced(t, r)
	require.Equal(t, []string{"1\n", "2\n", "3\n"}, got)
	require.Equal(t, 3*r.StepTime, took)
}

// Bitrate mode: 8000 bit/s at 20 chunks a second is 50 bytes every 50 ms.
func TestReadFileAdaptorBitrate(t *testing.T) {
	content := strings.Repeat("x", 50) + strings.Repeat("y", 50) + strings.Repeat("z", 30)
	r := util.NewReadFileAdaptor(writeFile(t, content))
	r.ReadMode = util.ModeBitrate
	r.Bitrate = 8000
	r.ChunkRate = 20
	got, took := readPaced(t, r)
	require.Equal(t, []string{content[:50], content[50:100], content[100:]}, got)
	require.Equal(t, 2*50*time.Millisecond, took)
}

func TestReadFileAdaptorCommand(t *testing.T) {
	t.Run("lines", func(t *testing.T) {
		r := util.NewReadFileAdaptor("")
		r.Command = []string{"printf", `one\ntwo\nthree`}
		got, _ := readPaced(t, r)
		require.Equal(t, []string{"one\n", "two\n", "three"}, got)
	})
	t.Run("blocks", func(t *testing.T) {
		r := util.NewReadFileAdaptor("")
		r.Command = []string{"printf", "abcdefg"}
		r.ReadMode = util.ModeBlock
		r.ReadSize = 3
		got, _ := readPaced(t, r)
		require.Equal(t, []string{"abc", "def", "g"}, got)
	})
}

// A command that fails after printing: what it printed is sent, then a
// ProducerFinished carrying its exit status, and the adaptor fails.
func TestReadFileAdaptorCommandFails(t *testing.T) {
	r := util.NewReadFileAdaptor("")
	r.Command = []string{"sh", "-c", `printf 'partial\n'; exit 3`}
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	var exit *exec.ExitError
	require.ErrorAs(t, r.Err(), &exit)
	require.Equal(t, 3, exit.ExitCode())
	require.Equal(t, []string{"partial\n"}, texts(s.Messages()))
	requireFailed(t, s.Signals()[0], r, exit)
}

func TestReadFileAdaptorCommandMissing(t *testing.T) {
	r := util.NewReadFileAdaptor("")
	r.Command = []string{"/nonexistent/kamgen-no-such-command"}
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, r.Err(), fs.ErrNotExist)
	require.Empty(t, s.Messages())
	requireFailed(t, s.Signals()[0], r, fs.ErrNotExist)
}

func TestReadFileAdaptorMissingFile(t *testing.T) {
	r := util.NewReadFileAdaptor(t.TempDir() + "/missing")
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, r.Err(), fs.ErrNotExist)
	require.Contains(t, r.Err().Error(), "missing")
	require.Empty(t, s.Messages())
	require.Len(t, s.Signals(), 1)
	requireFailed(t, s.Signals()[0], r, fs.ErrNotExist)
}

func TestReadFileAdaptorBadConfig(t *testing.T) {
	tests := map[string]func(*util.ReadFileAdaptor){
		"unknown mode":  func(r *util.ReadFileAdaptor) { r.ReadMode = "lines" },
		"zero readsize": func(r *util.ReadFileAdaptor) { r.ReadMode = util.ModeBlock; r.ReadSize = 0 },
		"zero bitrate":  func(r *util.ReadFileAdaptor) { r.ReadMode = util.ModeBitrate; r.Bitrate = 0 },
		"zero chunks":   func(r *util.ReadFileAdaptor) { r.ReadMode = util.ModeBitrate; r.ChunkRate = 0 },
	}
	for name, configure := range tests {
		t.Run(name, func(t *testing.T) {
			r := util.NewReadFileAdaptor(writeFile(t, "data\n"))
			configure(r)
			s := sinkFor(t, r)
			run(t, r, s)
			axontest.WaitDone(t, r)
			axontest.WaitDone(t, s)
			require.Error(t, r.Err())
			require.Empty(t, s.Messages())
			pf := s.Signals()[0]
			require.ErrorIs(t, requireFailed(t, pf, r, r.Err()), r.Err())
		})
	}
}

// Without a file or a command it reads Reader (standing in for stdin).
func TestReadFileAdaptorReader(t *testing.T) {
	r := util.NewReadFileAdaptor("")
	r.Reader = strings.NewReader("x\ny\n")
	got, _ := readPaced(t, r)
	require.Equal(t, []string{"x\n", "y\n"}, got)
}

func TestReadFileAdaptorReadError(t *testing.T) {
	boom := errors.New("boom")
	r := util.NewReadFileAdaptor("")
	r.Reader = io.MultiReader(strings.NewReader("ok\n"), errReader{boom})
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, r.Err(), boom)
	require.Equal(t, []string{"ok\n"}, texts(s.Messages()))
	requireFailed(t, s.Signals()[0], r, boom)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Unlike Kamaelia's, the adaptor honours control, wherever it is waiting:
// for a paced step, for a command that prints nothing, for a reader that
// has no data. The signal is forwarded as it is.
func TestReadFileAdaptorForwardsControl(t *testing.T) {
	waiting := map[string]func(t *testing.T, r *util.ReadFileAdaptor){
		"step": func(t *testing.T, r *util.ReadFileAdaptor) {
			r.Filename = writeFile(t, "1\n2\n")
			r.StepTime = time.Hour
		},
		"command": func(t *testing.T, r *util.ReadFileAdaptor) {
			r.Command = []string{"sh", "-c", "printf '1\\n'; exec sleep 60"}
		},
		"reader": func(t *testing.T, r *util.ReadFileAdaptor) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			r.Reader = io.MultiReader(strings.NewReader("1\n"), pr)
		},
	}
	for where, configure := range waiting {
		for name, newSig := range signals() {
			t.Run(where+"/"+name, func(t *testing.T) {
				r := util.NewReadFileAdaptor("")
				configure(t, r)
				s := sinkFor(t, r)
				run(t, r, s)
				require.Equal(t, []string{"1\n"}, texts(s.WaitCount(t, 1)))

				sig := newSig()
				require.NoError(t, r.Control.Deliver(sig))
				axontest.WaitDone(t, r)
				axontest.WaitDone(t, s)
				require.NoError(t, r.Err())
				require.Len(t, s.Signals(), 1)
				require.Same(t, sig, s.Signals()[0])
				require.Len(t, s.Messages(), 1)
			})
		}
	}
}

// Stop ends the adaptor, a running command with it, and sends nothing.
func TestReadFileAdaptorStop(t *testing.T) {
	r := util.NewReadFileAdaptor("")
	r.Command = []string{"sleep", "60"}
	run(t, r)
	r.Stop()
	axontest.WaitDone(t, r)
	require.NoError(t, r.Err())
	require.Zero(t, r.Signal.Len())
}
