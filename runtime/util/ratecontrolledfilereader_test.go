package util_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/axon/axontest"
	"github.com/kamgen/kamgen/runtime/util"
	"github.com/stretchr/testify/require"
)

func sizes(chunks []string) []int {
	out := make([]int, len(chunks))
	for i, c := range chunks {
		out[i] = len(c)
	}
	return out
}

func TestRateControlledFileReaderDefaults(t *testing.T) {
	r := util.NewRateControlledFileReader("f")
	require.Equal(t, "f", r.Filename)
	require.Equal(t, util.ModeBytes, r.ReadMode)
	require.InDelta(t, 100000, r.Rate, 0)
	require.Zero(t, r.ChunkSize)
	require.Zero(t, r.ChunkRate)
}

// Bytes mode, chunk sizes from each way of setting them.
func TestRateControlledFileReaderBytes(t *testing.T) {
	content := strings.Repeat("0123456789", 25) // 250 bytes
	tests := []struct {
		name      string
		configure func(*util.RateControlledFileReader)
		want      []int
	}{
		{"default chunk is rate/1000", func(*util.RateControlledFileReader) {}, []int{100, 100, 50}},
		{"chunksize", func(r *util.RateControlledFileReader) { r.ChunkSize = 120 }, []int{120, 120, 10}},
		{"chunkrate", func(r *util.RateControlledFileReader) { r.ChunkRate = 500 }, []int{200, 50}},
		{"chunk never below 1", func(r *util.RateControlledFileReader) { r.Rate = 400000; r.ChunkRate = 1e9 }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := util.NewRateControlledFileReader(writeFile(t, content))
			tc.configure(r)
			got, _ := readPaced(t, r)
			require.Equal(t, content, strings.Join(got, ""))
			want := tc.want
			if want == nil { // one byte per chunk
				want = make([]int, len(content))
				for i := range want {
					want[i] = 1
				}
			}
			require.Equal(t, want, sizes(got))
		})
	}
}

// L8: "lines" mode works. A chunk is ChunkSize lines joined, each with its
// "\n".
func TestRateControlledFileReaderLines(t *testing.T) {
	const content = "first line\nsecond\nthird\n"
	tests := []struct {
		name      string
		content   string
		chunkSize int
		want      []string
	}{
		{"default chunk holds all 3 lines", content, 0, []string{content}},
		{"one line per message", content, 1, []string{"first line\n", "second\n", "third\n"}},
		{"two lines per message", content, 2, []string{"first line\nsecond\n", "third\n"}},
		{"last line without newline", "a\nb", 1, []string{"a\n", "b"}},
		{"empty lines count", "\n\nx\n", 2, []string{"\n\n", "x\n"}},
		{"empty file", "", 1, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := util.NewRateControlledFileReader(writeFile(t, tc.content))
			r.ReadMode = util.ModeLines
			r.ChunkSize = tc.chunkSize
			got, _ := readPaced(t, r)
			require.Equal(t, tc.want, got)
		})
	}
}

// The rate is respected: chunk n is sent no earlier than n periods after
// the first (a lower bound a loaded machine cannot break), and the whole
// file is sent in a reasonable time.
func TestRateControlledFileReaderRate(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		configure func(*util.RateControlledFileReader)
		chunks    int
		took      time.Duration
	}{
		{
			// 2000 bytes/s in 100-byte chunks: one every 50 ms.
			name: "bytes", content: strings.Repeat("b", 500),
			configure: func(r *util.RateControlledFileReader) { r.Rate = 2000; r.ChunkSize = 100 },
			chunks:    5, took: 5 * 50 * time.Millisecond,
		},
		{
			// 1000 bytes/s at 20 chunks a second: 50 bytes every 50 ms.
			name: "chunkrate", content: strings.Repeat("c", 200),
			configure: func(r *util.RateControlledFileReader) { r.Rate = 1000; r.ChunkRate = 20 },
			chunks:    4, took: 4 * 50 * time.Millisecond,
		},
		{
			// 25 lines/s, one line a chunk: one every 40 ms.
			name: "lines", content: "1\n2\n3\n4\n5\n",
			configure: func(r *util.RateControlledFileReader) {
				r.ReadMode = util.ModeLines
				r.Rate = 25
				r.ChunkSize = 1
			},
			chunks: 5, took: 5 * 40 * time.Millisecond,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := util.NewRateControlledFileReader(writeFile(t, tc.content))
			tc.configure(r)
			got, took := readPaced(t, r)
			require.Len(t, got, tc.chunks)
			require.Equal(t, tc.content, strings.Join(got, ""))
			// A chunk a step from the start, and the end of the file found
			// a step after the last: exact on the test's clock.
			require.Equal(t, tc.took, took)
		})
	}
}

// A signal on control stops the reader between two chunks, and is forwarded.
func TestRateControlledFileReaderShutdown(t *testing.T) {
	for name, newSig := range signals() {
		t.Run(name, func(t *testing.T) {
			r := util.NewRateControlledFileReader(writeFile(t, strings.Repeat("x", 1000)))
			r.Rate = 10 // a byte every 100 ms: the file would take 100 s
			s := sinkFor(t, r)
			run(t, r, s)
			s.WaitCount(t, 1)

			sig := newSig()
			require.NoError(t, r.Control.Deliver(sig))
			axontest.WaitDone(t, r)
			axontest.WaitDone(t, s)
			require.NoError(t, r.Err())
			require.Equal(t, []axon.Signal{sig}, s.Signals())
			require.Less(t, len(s.Messages()), 1000)
		})
	}
}

func TestRateControlledFileReaderStop(t *testing.T) {
	r := util.NewRateControlledFileReader(writeFile(t, "abc"))
	r.Rate = 0.001 // a byte every 1000 s
	run(t, r)
	r.Stop()
	axontest.WaitDone(t, r)
	require.NoError(t, r.Err())
	require.Zero(t, r.Signal.Len(), "nothing sent on signal")
}

func TestRateControlledFileReaderMissingFile(t *testing.T) {
	r := util.NewRateControlledFileReader(t.TempDir() + "/missing")
	s := sinkFor(t, r)
	run(t, r, s)
	axontest.WaitDone(t, r)
	axontest.WaitDone(t, s)
	require.ErrorIs(t, r.Err(), fs.ErrNotExist)
	require.Empty(t, s.Messages())
	requireFailed(t, s.Signals()[0], r, fs.ErrNotExist)
}

func TestRateControlledFileReaderBadConfig(t *testing.T) {
	tests := map[string]func(*util.RateControlledFileReader){
		"unknown mode":            func(r *util.RateControlledFileReader) { r.ReadMode = util.ModeLine },
		"zero rate":               func(r *util.RateControlledFileReader) { r.Rate = 0 },
		"negative chunksize":      func(r *util.RateControlledFileReader) { r.ChunkSize = -1 },
		"chunksize and chunkrate": func(r *util.RateControlledFileReader) { r.ChunkSize = 10; r.ChunkRate = 10 },
	}
	for name, configure := range tests {
		t.Run(name, func(t *testing.T) {
			r := util.NewRateControlledFileReader(writeFile(t, "data"))
			configure(r)
			s := sinkFor(t, r)
			run(t, r, s)
			axontest.WaitDone(t, r)
			axontest.WaitDone(t, s)
			require.Error(t, r.Err())
			require.Empty(t, s.Messages())
			requireFailed(t, s.Signals()[0], r, r.Err())
		})
	}
}
