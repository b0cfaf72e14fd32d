package framing_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/kamgen/kamgen/runtime/framing"
	"github.com/stretchr/testify/require"
)

// encoded is a stream of frames of mode m, each holding body.
func encoded(m string, body string, frames int) []byte {
	var b []byte
	for range frames {
		switch m {
		case "lines":
			b = append(b, body+"\r\n"...)
		case "delimited":
			b = append(b, body+"\r\n.\r\n"...)
		case "u16":
			b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
			b = append(b, body...)
		case "uvarint":
			b = binary.AppendUvarint(b, uint64(len(body)))
			b = append(b, body...)
		case "exact":
			b = append(b, body...)
		}
	}
	return b
}

var allocModes = map[string]framing.Mode{
	"lines":     framing.Lines(200),
	"delimited": framing.Delimited("\r\n.\r\n", 200),
	"u16":       framing.Prefixed(framing.U16, 200),
	"uvarint":   framing.Prefixed(framing.Uvarint, 200),
	"exact":     framing.Exact(150),
}

// cutPieces cuts every piece and returns how many frames it got.
func cutPieces(t testing.TB, f *framing.Framer, pieces [][]byte) int {
	frames := 0
	for _, p := range pieces {
		for {
			frame, n, err := f.Cut(p)
			if err != nil {
				t.Fatal(err)
			}
			p = p[n:]
			if frame == nil {
				break
			}
			frames++
		}
	}
	return frames
}

// chop cuts b into pieces of size bytes (the last may be shorter).
func chop(b []byte, size int) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		k := min(size, len(b))
		out = append(out, b[:k])
		b = b[k:]
	}
	return out
}

func TestNoAllocationPerFrame(t *testing.T) {
	body := strings.Repeat("b", 150)
	for name, m := range allocModes {
		stream := encoded(name, body, 40)
		for _, tt := range []struct {
			how    string
			pieces [][]byte
		}{
			{"whole frames in one piece", [][]byte{stream}},
			{"frames spanning pieces", chop(stream, 61)},
			{"a byte at a time", chop(stream, 1)},
		} {
			t.Run(name+"/"+tt.how, func(t *testing.T) {
				f := framing.New(m)
				require.Equal(t, 40, cutPieces(t, f, tt.pieces)) // warm the buffer
				allocs := testing.AllocsPerRun(20, func() { cutPieces(t, f, tt.pieces) })
				require.Zero(t, allocs)
			})
		}
	}
}

func TestNoAllocationSwitchingModes(t *testing.T) {
	f := framing.New(framing.Lines(64))
	body := framing.Exact(5)
	stream := bytes.Repeat([]byte("BODY 5\r\nhelloNEXT\r\n"), 20)
	run := func(pieces [][]byte) {
		for _, p := range pieces {
			for {
				frame, n, err := f.Cut(p)
				if err != nil {
					t.Fatal(err)
				}
				p = p[n:]
				if frame == nil {
					break
				}
				if string(frame) == "BODY 5" {
					f.Then(body)
				}
			}
		}
	}
	for _, size := range []int{len(stream), 7} {
		pieces := chop(stream, size)
		run(pieces)
		require.Zero(t, testing.AllocsPerRun(20, func() { run(pieces) }), "pieces of %d bytes", size)
	}
}

func BenchmarkLines(b *testing.B) {
	line := strings.Repeat("x", 63) + "\n"
	piece := []byte(strings.Repeat(line, 16<<10/len(line)))
	f := framing.New(framing.Lines(1024))
	b.SetBytes(int64(len(piece)))
	b.ReportAllocs()
	for b.Loop() {
		cutPieces(b, f, [][]byte{piece})
	}
}

// BenchmarkLinesSpanning cuts 64 B lines arriving in pieces of 48 B: every
// line spans two pieces, so every frame is assembled in the buffer.
func BenchmarkLinesSpanning(b *testing.B) {
	line := strings.Repeat("x", 63) + "\n"
	pieces := chop([]byte(strings.Repeat(line, 16<<10/len(line))), 48)
	f := framing.New(framing.Lines(1024))
	b.SetBytes(16 << 10)
	b.ReportAllocs()
	for b.Loop() {
		cutPieces(b, f, pieces)
	}
}

// BenchmarkPrefixed cuts 512 B frames with a U16 header, in 16 KiB pieces
// that split some frames.
func BenchmarkPrefixed(b *testing.B) {
	stream := encoded("u16", strings.Repeat("p", 510), 64)
	pieces := chop(stream, 16<<10)
	f := framing.New(framing.Prefixed(framing.U16, 1024))
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		cutPieces(b, f, pieces)
	}
}

// BenchmarkLinesBufioScanner is BenchmarkLines done by bufio.Scanner
// over the same bytes, the yardstick a handler is compared with.
func BenchmarkLinesBufioScanner(b *testing.B) {
	line := strings.Repeat("x", 63) + "\n"
	piece := []byte(strings.Repeat(line, 16<<10/len(line)))
	r := bytes.NewReader(piece)
	b.SetBytes(int64(len(piece)))
	b.ReportAllocs()
	buf := make([]byte, 0, 32<<10)
	for b.Loop() {
		r.Reset(piece)
		s := bufio.NewScanner(r)
		s.Buffer(buf, 32<<10)
		for s.Scan() {
		}
	}
}

// BenchmarkLinesThenExact cuts RESP commands, as examples/resp does: header
// lines, and after each "$N" line a body of N bytes and its CRLF, with
// Then(Exact(N+2)); 16 GETs a piece, as a client pipelining 16 sends them.
func BenchmarkLinesThenExact(b *testing.B) {
	piece := []byte(strings.Repeat("*2\r\n$3\r\nGET\r\n$16\r\nkey:__rand_int__\r\n", 16))
	f := framing.New(framing.Lines(1024))
	b.SetBytes(int64(len(piece)))
	b.ReportAllocs()
	frames := 0
	for b.Loop() {
		for p := piece; len(p) > 0; {
			frame, n, err := f.Cut(p)
			p = p[n:]
			if err != nil || frame == nil {
				b.Fatalf("frame %q, err %v", frame, err)
			}
			frames++
			if frame[0] == '$' && len(frame) > 1 && frame[len(frame)-1] != '\n' {
				size := 0
				for _, c := range frame[1:] {
					size = size*10 + int(c-'0')
				}
				f.Then(framing.Exact(size + 2))
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}
