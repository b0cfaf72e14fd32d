package framing_test

import (
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/kamgen/kamgen/runtime/framing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxLimit is the largest limit of the modes the tests use (Prefixed(U16,
// 300)) plus one.
const maxLimit = 301

// event is what a Framer reported, as text: "=frame" for a frame, "!too
// long" or "!bad header" for an error, and, last, "end" or "!eof" for
// End.
type event = string

func describe(err error) event {
	switch {
	case errors.Is(err, framing.ErrTooLong):
		return "!too long"
	case errors.Is(err, framing.ErrBadHeader):
		return "!bad header"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "!eof"
	}
	return "!other: " + err.Error()
}

// feed gives the pieces to f in order, checks Cut's contract at each call,
// and returns what f reported, End last. react, when not nil, is called
// with each frame and may change f's mode.
func feed(t testing.TB, f *framing.Framer, pieces [][]byte, react func(*framing.Framer, []byte)) []event {
	t.Helper()
	var got []event
	for _, p := range pieces {
		for {
			frame, n, err := f.Cut(p)
			// Plain checks: this loop runs for every fuzz input.
			if n < 0 || n > len(p) {
				t.Fatalf("Cut used %d bytes of %d", n, len(p))
			}
			if f.Buffered() > maxLimit {
				t.Fatalf("holds %d bytes, more than any test mode's limit", f.Buffered())
			}
			p = p[n:]
			if err != nil {
				if frame != nil {
					t.Fatalf("a frame %q with the error %v", frame, err)
				}
				got = append(got, describe(err))
				if errors.Is(err, framing.ErrBadHeader) {
					_, n, again := f.Cut(p)
					require.ErrorIs(t, again, framing.ErrBadHeader, "an unreadable header is sticky")
					require.Zero(t, n)
					got = append(got, describe(f.End()))
					return got
				}
				continue
			}
			if frame == nil {
				if len(p) > 0 {
					t.Fatalf("no frame and no error, but %d bytes of p are left", len(p))
				}
				break
			}
			got = append(got, "="+string(frame))
			if react != nil {
				react(f, frame)
			}
		}
	}
	if err := f.End(); err != nil {
		return append(got, describe(err))
	}
	return append(got, "end")
}

// splits returns the ways of cutting s that the tests try: whole, in two
// at every position, in three around every position, and a byte at a
// time.
func splits(s string) [][][]byte {
	b := []byte(s)
	out := [][][]byte{{b}}
	for i := 0; i <= len(b); i++ {
		out = append(out, [][]byte{clone(b[:i]), clone(b[i:])})
		if i+1 < len(b) {
			out = append(out, [][]byte{clone(b[:i]), clone(b[i : i+1]), clone(b[i+1:])})
		}
	}
	var bytewise [][]byte
	for i := range b {
		bytewise = append(bytewise, clone(b[i:i+1]))
	}
	return append(out, bytewise)
}

// clone copies b into an array of its own, so that a Framer reading past
// a piece's end would be caught by the race detector and bounds checks.
func clone(b []byte) []byte { return append([]byte(nil), b...) }

func u16(n int) string { return string(binary.BigEndian.AppendUint16(nil, uint16(n))) }
func uv(n uint64) string {
	return string(binary.AppendUvarint(nil, n))
}

func TestCutAtEveryPosition(t *testing.T) {
	long := strings.Repeat("x", 9)
	tests := []struct {
		name   string
		mode   framing.Mode
		stream string
		want   []event
	}{
		{"lines", framing.Lines(8), "one\ntwo\r\n\n\r\nthree\n",
			[]event{"=one", "=two", "=", "=", "=three", "end"}},
		{"a line of exactly max, with CRLF", framing.Lines(3), "abc\r\nabc\n", []event{"=abc", "=abc", "end"}},
		{"only one CR is removed", framing.Lines(8), "a\r\r\n", []event{"=a\r", "end"}},
		{"a lone CR stays", framing.Lines(8), "a\rb\n", []event{"=a\rb", "end"}},
		{"too long, then a good line", framing.Lines(8), long + "\nok\n", []event{"!too long", "=ok", "end"}},
		{"too long by one byte", framing.Lines(3), "abcd\nab\n", []event{"!too long", "=ab", "end"}},
		{"too long with CR", framing.Lines(3), "abcd\r\nab\r\n", []event{"!too long", "=ab", "end"}},
		{"max bytes then CR then more", framing.Lines(3), "abc\rd\nx\n", []event{"!too long", "=x", "end"}},
		{"too long twice", framing.Lines(2), "abc\nabcdef\n\n", []event{"!too long", "!too long", "=", "end"}},
		{"Lines(0)", framing.Lines(0), "\n\r\na\n\n", []event{"=", "=", "!too long", "=", "end"}},
		{"unterminated line", framing.Lines(8), "one\ntw", []event{"=one", "!eof"}},
		{"too long and unterminated", framing.Lines(2), "one\ntwo", []event{"!too long", "!too long", "end"}},

		{"CRLF", framing.Delimited("\r\n", 4), "a\r\nb\nc\r\n\r\n", []event{"=a", "=b\nc", "=", "end"}},
		{"CRLF too long", framing.Delimited("\r\n", 2), "abc\r\nab\r\n", []event{"!too long", "=ab", "end"}},
		{"CRLF: a CR after max bytes", framing.Delimited("\r\n", 2), "ab\r\r\n", []event{"!too long", "end"}},
		{"SMTP end of data", framing.Delimited("\r\n.\r\n", 16), "Hi\r\n..\r\nyo\r\n.\r\nQUIT\r\n.\r\n",
			[]event{"=Hi\r\n..\r\nyo", "=QUIT", "end"}},
		{"overlapping delimiter", framing.Delimited("aab", 8), "xaaab", []event{"=xa", "end"}},
		{"repeating delimiter", framing.Delimited("abab", 8), "xabababyabab", []event{"=x", "=aby", "end"}},
		{"too long, delimiter straddling the skip", framing.Delimited("\r\n.\r\n", 3),
			"abcdef\r\n\r\n.\r\nok\r\n.\r\n", []event{"!too long", "=ok", "end"}},
		{"a delimiter starting at max", framing.Delimited("--", 2), "ab--c--", []event{"=ab", "=c", "end"}},
		{"a delimiter starting after max", framing.Delimited("--", 2), "abc--d--", []event{"!too long", "=d", "end"}},
		{"unterminated block", framing.Delimited("\r\n.\r\n", 16), "abc\r\n.\r", []event{"!eof"}},

		{"u8", framing.Prefixed(framing.U8, 8), "\x03abc\x00\x01z", []event{"=abc", "=", "=z", "end"}},
		{"u16", framing.Prefixed(framing.U16, 300), u16(3) + "abc" + u16(0), []event{"=abc", "=", "end"}},
		{"u32", framing.Prefixed(framing.U32, 8), "\x00\x00\x00\x02hi", []event{"=hi", "end"}},
		{"uvarint", framing.Prefixed(framing.Uvarint, 200), uv(2) + "hi" + uv(130) + strings.Repeat("z", 130),
			[]event{"=hi", "=" + strings.Repeat("z", 130), "end"}},
		{"prefixed too long is skipped", framing.Prefixed(framing.U8, 2), "\x05abcde\x02ok", []event{"!too long", "=ok", "end"}},
		{"uvarint too long", framing.Prefixed(framing.Uvarint, 2), uv(300) + strings.Repeat("q", 300) + uv(1) + "k",
			[]event{"!too long", "=k", "end"}},
		{"uvarint of 2^64-1 announces too much", framing.Prefixed(framing.Uvarint, 2), uv(1<<64-1) + "abc",
			[]event{"!too long", "end"}},
		{"uvarint over 64 bits", framing.Prefixed(framing.Uvarint, 8), "\x01a" + strings.Repeat("\xff", 10) + "\x01more",
			[]event{"=a", "!bad header", "!bad header"}},
		{"eleven byte uvarint", framing.Prefixed(framing.Uvarint, 8), strings.Repeat("\x80", 10) + "\x00",
			[]event{"!bad header", "!bad header"}},
		{"stream ends in a header", framing.Prefixed(framing.U32, 8), "\x00\x00", []event{"!eof"}},
		{"stream ends in a body", framing.Prefixed(framing.U8, 8), "\x03ab", []event{"!eof"}},

		{"exact", framing.Exact(3), "abcdef", []event{"=abc", "=def", "end"}},
		{"exact, short", framing.Exact(3), "abcd", []event{"=abc", "!eof"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pieces := range splits(tt.stream) {
				got := feed(t, framing.New(tt.mode), pieces, nil)
				require.Equal(t, tt.want, got, "pieces %q", pieces)
			}
		})
	}
}

func TestExactZeroAndEmptyLinesAreNotNil(t *testing.T) {
	f := framing.New(framing.Exact(0))
	frame, n, err := f.Cut(nil)
	require.NoError(t, err)
	require.NotNil(t, frame, "Exact(0) gives an empty frame, not nil")
	require.Empty(t, frame)
	require.Zero(t, n)
	require.NoError(t, f.End())

	f = framing.New(framing.Lines(4))
	frame, n, err = f.Cut([]byte("\r\n"))
	require.NoError(t, err)
	require.NotNil(t, frame)
	require.Empty(t, frame)
	require.Equal(t, 2, n)

	// An empty line whose "\r" came in the piece before.
	_, _, err = f.Cut([]byte("\r"))
	require.NoError(t, err)
	frame, n, err = f.Cut([]byte("\n"))
	require.NoError(t, err)
	require.NotNil(t, frame)
	require.Empty(t, frame)
	require.Equal(t, 1, n)
}

func TestFrameAliasesPieceOrBuffer(t *testing.T) {
	f := framing.New(framing.Lines(16))
	p := []byte("hello\nwor")
	frame, n, err := f.Cut(p)
	require.NoError(t, err)
	require.Equal(t, "hello", string(frame))
	require.Same(t, &p[0], &frame[0], "a frame inside one piece is not copied")

	frame, n, err = f.Cut(p[n:])
	require.NoError(t, err)
	require.Nil(t, frame)
	require.Equal(t, 3, n)
	require.Equal(t, 3, f.Buffered())

	q := []byte("ld\n")
	frame, _, err = f.Cut(q)
	require.NoError(t, err)
	require.Equal(t, "world", string(frame))
	require.Zero(t, f.Buffered())
	p[6] = 'X'
	q[0] = 'X'
	require.Equal(t, "world", string(frame), "a frame across pieces is in the Framer's buffer")
}

func TestAppendingToAFrameLeavesTheStreamAlone(t *testing.T) {
	for _, m := range []framing.Mode{framing.Lines(8), framing.Delimited(";", 8), framing.Exact(2)} {
		f := framing.New(m)
		p := []byte("ab\n;cd\n;")
		frame, n, err := f.Cut(p)
		require.NoError(t, err)
		_ = append(frame, "XXXXXXXXXX"...)
		require.Equal(t, "ab\n;cd\n;", string(p), "%v: a frame's capacity ends with it", m)
		require.NotZero(t, n)
	}
}

func TestDelimiterStraddlingPieces(t *testing.T) {
	f := framing.New(framing.Delimited("\r\n.\r\n", 64))
	frame, n, err := f.Cut([]byte("body\r\n."))
	require.NoError(t, err)
	require.Nil(t, frame)
	require.Equal(t, 7, n)
	frame, n, err = f.Cut([]byte("\r\nQUIT"))
	require.NoError(t, err)
	require.Equal(t, "body", string(frame))
	require.Equal(t, 2, n, "the frame ends where the delimiter does")
}

func TestThenExactResumesLinesInOnePiece(t *testing.T) {
	f := framing.New(framing.Lines(64))
	p := []byte("POST\r\nContent-Length: 5\r\n\r\nhelloGET\r\n")
	var got []string
	body := 0
	for len(p) > 0 {
		frame, n, err := f.Cut(p)
		require.NoError(t, err)
		p = p[n:]
		if frame == nil {
			break
		}
		got = append(got, string(frame))
		if s, ok := strings.CutPrefix(string(frame), "Content-Length: "); ok {
			body, err = strconv.Atoi(s)
			require.NoError(t, err)
		}
		if len(frame) == 0 && body > 0 { // the headers' end: the body is next
			f.Then(framing.Exact(body))
			body = 0
		}
	}
	require.Equal(t, []string{"POST", "Content-Length: 5", "", "hello", "GET"}, got)
}

func TestThenExactAfterTheLastByteOfAPiece(t *testing.T) {
	f := framing.New(framing.Lines(64))
	got := feed(t, f, [][]byte{[]byte("BODY 3\n"), []byte("a\nbGET\n")}, func(f *framing.Framer, frame []byte) {
		if string(frame) == "BODY 3" {
			f.Then(framing.Exact(3))
		}
	})
	require.Equal(t, []event{"=BODY 3", "=a\nb", "=GET", "end"}, got)
}

func TestThenAndSetApplyFromTheNextFrameToBegin(t *testing.T) {
	f := framing.New(framing.Lines(64))
	_, _, err := f.Cut([]byte("par"))
	require.NoError(t, err)
	f.Set(framing.Exact(2))
	f.Then(framing.Delimited(";", 8))
	frame, n, err := f.Cut([]byte("tial\na;bcde"))
	require.NoError(t, err)
	require.Equal(t, "partial", string(frame), "the frame begun keeps its mode")
	require.Equal(t, 5, n)
	require.Equal(t, []event{"=a", "=bc", "=de", "end"}, feed(t, f, [][]byte{[]byte("a;bcde")}, nil))
}

func TestThenBeforeAnEmptyPieceWaitsForData(t *testing.T) {
	f := framing.New(framing.Lines(64))
	f.Then(framing.Exact(3))
	frame, n, err := f.Cut(nil)
	require.NoError(t, err)
	require.Nil(t, frame)
	require.Zero(t, n)
	f.Then(framing.Exact(2)) // replaces the Then no byte was read for
	require.Equal(t, []event{"=ab", "=c", "end"}, feed(t, f, [][]byte{[]byte("abc\n")}, nil))
}

func TestEndlessLineStaysWithinLimit(t *testing.T) {
	const max = 100
	for _, m := range []framing.Mode{framing.Lines(max), framing.Delimited("\r\n.\r\n", max)} {
		f := framing.New(m)
		piece := []byte(strings.Repeat("x", 37))
		tooLong := 0
		for range 10_000 {
			frame, n, err := f.Cut(piece)
			require.Nil(t, frame)
			require.Equal(t, len(piece), n)
			if err != nil {
				require.ErrorIs(t, err, framing.ErrTooLong)
				tooLong++
			}
			require.LessOrEqual(t, f.Buffered(), max)
		}
		require.Equal(t, 1, tooLong, "%s: one error per frame", m)
		require.NoError(t, f.End(), "the too long frame was reported already")
		got := feed(t, f, [][]byte{[]byte("\r\n.\r\nok\r\n.\r\n")}, nil)
		if m == framing.Lines(max) {
			require.Equal(t, []event{"=.", "=ok", "=.", "end"}, got)
		} else {
			require.Equal(t, []event{"=ok", "end"}, got)
		}
	}
}

func TestPrefixedTooLongIsReportedAtTheHeader(t *testing.T) {
	f := framing.New(framing.Prefixed(framing.U32, 1024))
	frame, n, err := f.Cut([]byte("\x00\x10\x00\x00abc"))
	require.ErrorIs(t, err, framing.ErrTooLong)
	require.Nil(t, frame)
	require.Equal(t, 4, n, "the header is used, the body is skipped by the next Cuts")
	require.Contains(t, err.Error(), "1048576")
	require.Contains(t, err.Error(), "1024")
	chunk := make([]byte, 64<<10)
	for range 15 {
		frame, n, err = f.Cut(chunk)
		require.NoError(t, err)
		require.Nil(t, frame)
		require.Equal(t, len(chunk), n)
		require.Zero(t, f.Buffered())
	}
	last := append(make([]byte, 64<<10), "\x00\x00\x00\x01!"...)
	frame, n, err = f.Cut(last)
	require.NoError(t, err)
	require.Equal(t, "!", string(frame))
	require.Equal(t, len(last), n)
}

func TestBadHeaderIsStickyUntilReset(t *testing.T) {
	f := framing.New(framing.Prefixed(framing.Uvarint, 16))
	_, n, err := f.Cut([]byte(strings.Repeat("\xff", 10) + "\x01\x01a"))
	require.ErrorIs(t, err, framing.ErrBadHeader)
	require.Equal(t, 10, n)
	require.Contains(t, err.Error(), "Prefixed(Uvarint, 16)")
	_, n, err = f.Cut([]byte("\x01a"))
	require.ErrorIs(t, err, framing.ErrBadHeader)
	require.Zero(t, n)
	require.ErrorIs(t, f.End(), framing.ErrBadHeader)

	f.Reset()
	require.Equal(t, []event{"=a", "end"}, feed(t, f, [][]byte{[]byte("\x01a")}, nil))
}

func TestResetForgetsPartialFrameAndThen(t *testing.T) {
	f := framing.New(framing.Lines(8))
	frame, _, err := f.Cut([]byte("STARTTLS\r\n"))
	require.NoError(t, err)
	require.Equal(t, "STARTTLS", string(frame))
	_, _, err = f.Cut([]byte("plain"))
	require.NoError(t, err)
	require.Equal(t, 5, f.Buffered())
	f.Then(framing.Exact(3))
	f.Reset()
	require.Zero(t, f.Buffered())
	require.NoError(t, f.End())
	require.Equal(t, []event{"=EHLO", "end"}, feed(t, f, [][]byte{[]byte("EHLO\r\n")}, nil))

	// And a too long line being skipped.
	_, _, err = f.Cut([]byte("0123456789"))
	require.ErrorIs(t, err, framing.ErrTooLong)
	f.Reset()
	require.Equal(t, []event{"=x", "end"}, feed(t, f, [][]byte{[]byte("x\n")}, nil))
}

func TestEndSaysHowFarTheFrameGot(t *testing.T) {
	tests := []struct {
		mode   framing.Mode
		stream string
		says   string
	}{
		{framing.Lines(8), "abc", "3 bytes"},
		{framing.Delimited("\r\n", 8), "abc\r", "4 bytes"},
		{framing.Prefixed(framing.U16, 8), "\x00", "1 bytes of a length header"},
		{framing.Prefixed(framing.U16, 8), "\x00\x05ab", "2 of the frame's 5 bytes"},
		{framing.Exact(4), "abc", "3 of the frame's 4 bytes"},
	}
	for _, tt := range tests {
		f := framing.New(tt.mode)
		_, _, err := f.Cut([]byte(tt.stream))
		require.NoError(t, err)
		err = f.End()
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Contains(t, err.Error(), tt.says)
	}
}

func TestErrorsNameModeAndLimit(t *testing.T) {
	f := framing.New(framing.Delimited("\r\n", 2))
	_, _, err := f.Cut([]byte("abcd"))
	require.ErrorIs(t, err, framing.ErrTooLong)
	require.Contains(t, err.Error(), `Delimited("\r\n", 2)`)
	require.Contains(t, err.Error(), "longer than 2 bytes")
}

func TestBadModesPanic(t *testing.T) {
	require.Panics(t, func() { framing.New(framing.Mode{}) })
	require.Panics(t, func() { framing.New(framing.Lines(1)).Then(framing.Mode{}) })
	require.Panics(t, func() { framing.New(framing.Lines(1)).Set(framing.Mode{}) })
	require.Panics(t, func() { framing.Lines(-1) })
	require.Panics(t, func() { framing.Delimited("", 1) })
	require.Panics(t, func() { framing.Delimited(";", -1) })
	require.Panics(t, func() { framing.Prefixed(0, 1) })
	require.Panics(t, func() { framing.Prefixed(framing.Uvarint+1, 1) })
	require.Panics(t, func() { framing.Exact(-1) })
	require.Panics(t, func() { new(framing.Framer).Cut([]byte("x")) }, "the zero Framer")
}
