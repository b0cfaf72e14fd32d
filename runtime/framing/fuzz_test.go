package framing_test

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"testing"

	"github.com/kamgen/kamgen/runtime/framing"
	"github.com/stretchr/testify/require"
)

// fuzzModes are the modes FuzzCutAnywhere starts in and switches to.
var fuzzModes = []framing.Mode{
	framing.Lines(16),
	framing.Delimited("\r\n.\r\n", 16),
	framing.Delimited("aab", 8),
	framing.Prefixed(framing.U8, 8),
	framing.Prefixed(framing.Uvarint, 20),
	framing.Prefixed(framing.U16, 300),
	framing.Exact(3),
}

// switchModes changes f's mode as a protocol would, on what the frame
// says: "EXACT n" cuts the next frame by Exact(n), "THEN i" the next frame
// by fuzzModes[i], and "SET i" every frame from the next on.
func switchModes(f *framing.Framer, frame []byte) {
	verb, arg, ok := bytes.Cut(frame, []byte(" "))
	if !ok {
		return
	}
	n, err := strconv.Atoi(string(arg))
	if err != nil || n < 0 || n > 40 {
		return
	}
	switch string(verb) {
	case "EXACT":
		f.Then(framing.Exact(n))
	case "THEN":
		f.Then(fuzzModes[n%len(fuzzModes)])
	case "SET":
		f.Set(fuzzModes[n%len(fuzzModes)])
	}
}

// FuzzCutAnywhere checks that a stream cut into pieces anywhere gives the
// same frames and errors as the whole stream, in every mode and across mode
// switches driven by the data.
func FuzzCutAnywhere(f *testing.F) {
	seeds := []struct {
		mode  uint8
		data  string
		sizes string
	}{
		{0, "one\r\ntwo\n\nEXACT 5\nhelloLINE\n", "\x01\x03\x00\x07"},
		{0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nok\n", "\x05\x05\x05"},
		{0, "SET 1\nbody\r\n.\r\n\r\n.\r\nSET 0\r\n.\r\nline\n", "\x02\x0b\x01"},
		{1, "a\r\n.\r\nb\r\n\r\n.\r\n", "\x04\x01\x01"},
		{2, "xaaabaabSET 3aab\x02hi", "\x02\x02\x02"},
		{3, "\x03abc\x00\x09toolongxxx\x01z", "\x01\x01\x04"},
		{4, "\x01a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01b", "\x03"},
		{4, "\x05THEN 0line\n\x02ok", "\x01\x02"},
		{5, "\x00\x03abc\x01\x40zz", "\x01"},
		{6, "abcdefgh", "\x02\x00\x05"},
		{0, "THEN 3\n\x09\x00", "\x07"},
		{0, "EXACT 0\nEXACT 0\n", ""},
	}
	for _, s := range seeds {
		f.Add(s.mode, []byte(s.data), []byte(s.sizes))
	}
	f.Fuzz(func(t *testing.T, mode uint8, data, sizes []byte) {
		m := fuzzModes[int(mode)%len(fuzzModes)]
		want := feed(t, framing.New(m), [][]byte{clone(data)}, switchModes)

		var pieces [][]byte
		rest := data
		for _, s := range sizes {
			k := min(int(s)%23, len(rest))
			pieces = append(pieces, clone(rest[:k]))
			rest = rest[k:]
		}
		pieces = append(pieces, clone(rest))
		got := feed(t, framing.New(m), pieces, switchModes)
		require.Equal(t, want, got, "pieces %q", pieces)

		// Without mode switches, a delimited mode gives what a plain
		// search for the delimiter in the whole stream gives.
		switch int(mode) % len(fuzzModes) {
		case 0:
			require.Equal(t, plainDelimited(data, "\n", true, 16), feed(t, framing.New(m), pieces, nil))
		case 1:
			require.Equal(t, plainDelimited(data, "\r\n.\r\n", false, 16), feed(t, framing.New(m), pieces, nil))
		case 2:
			require.Equal(t, plainDelimited(data, "aab", false, 8), feed(t, framing.New(m), pieces, nil))
		case 3:
			require.Equal(t, plainPrefixed(data, framing.U8, 8), feed(t, framing.New(m), pieces, nil))
		case 4:
			require.Equal(t, plainPrefixed(data, framing.Uvarint, 20), feed(t, framing.New(m), pieces, nil))
		case 5:
			require.Equal(t, plainPrefixed(data, framing.U16, 300), feed(t, framing.New(m), pieces, nil))
		}
	})
}

// plainDelimited is what Lines (trimCR) or Delimited must report for the
// whole stream data, computed the obvious way.
func plainDelimited(data []byte, delim string, trimCR bool, max int) []event {
	var got []event
	d := []byte(delim)
	for {
		i := bytes.Index(data, d)
		if i < 0 {
			break
		}
		frame := data[:i]
		if trimCR {
			frame = bytes.TrimSuffix(frame, []byte("\r"))
		}
		if len(frame) > max {
			got = append(got, "!too long")
		} else {
			got = append(got, "="+string(frame))
		}
		data = data[i+len(d):]
	}
	if len(data) == 0 {
		return append(got, "end")
	}
	// An unterminated frame is too long when no delimiter could still
	// start within its first max+1 bytes.
	part := 0
	for k := min(len(d)-1, len(data)); k > 0; k-- {
		if bytes.HasSuffix(data, d[:k]) {
			part = k
			break
		}
	}
	earliest := len(data) - part
	if trimCR && data[len(data)-1] == '\r' {
		earliest--
	}
	if earliest > max {
		return append(got, "!too long", "end")
	}
	return append(got, "!eof")
}

// plainPrefixed is what Prefixed(h, max) must report for the whole stream
// data, computed the obvious way.
func plainPrefixed(data []byte, h framing.Header, max int) []event {
	var got []event
	for len(data) > 0 {
		var length uint64
		var n int
		switch h {
		case framing.U8:
			length, n = uint64(data[0]), 1
		case framing.U16:
			if len(data) < 2 {
				return append(got, "!eof")
			}
			length, n = uint64(binary.BigEndian.Uint16(data)), 2
		case framing.Uvarint:
			length, n = binary.Uvarint(data)
			if n < 0 {
				return append(got, "!bad header", "!bad header")
			}
			if n == 0 {
				return append(got, "!eof")
			}
		}
		data = data[n:]
		switch {
		case length > uint64(max):
			got = append(got, "!too long")
			data = data[min(uint64(len(data)), length):]
		case uint64(len(data)) < length:
			return append(got, "!eof")
		default:
			got = append(got, "="+string(data[:length]))
			data = data[length:]
		}
	}
	return append(got, "end")
}
