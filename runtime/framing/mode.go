package framing

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"unsafe"
)

// Mode says how frames are cut: at a delimiter (Lines, Delimited), after a
// length header (Prefixed), or after a fixed count (Exact), and how long a
// frame may be. Make one with those functions; the zero Mode is not a mode,
// and New, Set and Then panic on it. A Mode is a small value that == compares:
// Lines(80) == Lines(80).
type Mode struct {
	kind   kind
	delim  string // Lines and Delimited
	trimCR bool   // Lines: one "\r" before the "\n" is not part of the frame
	header Header // Prefixed
	max    int    // the longest frame; for Exact, its length
}

type kind uint8

const (
	delimited kind = iota + 1 // Lines and Delimited
	prefixed
	exact
)

// Lines cuts frames that end at "\n", as text protocols send them (SMTP,
// RESP, IRC, chat). The "\n" and one "\r" just before it are not part of
// the frame, so "a\r\n" and "a\n" both give "a", and an empty line gives an
// empty frame. A frame may hold at most max bytes without its line ending;
// a longer one is an error wrapping ErrTooLong and is skipped up to its
// "\n". Lines panics when max is negative; Lines(0) allows empty lines only.
func Lines(max int) Mode {
	checkMax("Lines", max)
	return Mode{kind: delimited, delim: "\n", trimCR: true, max: max}
}

// Delimited cuts frames that end at delim, which is not part of the frame:
// Delimited("\r\n", 512) for strict CRLF lines, Delimited("\r\n.\r\n",
// 10<<20) for the body of an SMTP DATA command. The first delim in the
// stream ends the frame, wherever the network split it. A frame may hold at
// most max bytes without delim; a longer one is an error wrapping
// ErrTooLong and is skipped up to and including the next delim. Delimited
// panics when delim is empty or max is negative.
func Delimited(delim string, max int) Mode {
	if delim == "" {
		panic("framing: Delimited with an empty delimiter")
	}
	checkMax("Delimited", max)
	return Mode{kind: delimited, delim: delim, max: max}
}

// Prefixed cuts frames that start with a length header h and go on for as
// many bytes as it announces; the frame is those bytes, without the header.
// A header that announces more than max bytes is an error wrapping
// ErrTooLong, and the bytes it announces are skipped; a header that cannot
// be read (a uvarint longer than 64 bits) is an error wrapping ErrBadHeader,
// after which the stream cannot be cut any more. Prefixed panics when h is
// not one of U8, U16, U32 and Uvarint, or max is negative.
func Prefixed(h Header, max int) Mode {
	if h.size() == 0 {
		panic(fmt.Sprintf("framing: Prefixed with an unknown header %d: use U8, U16, U32 or Uvarint", h))
	}
	checkMax("Prefixed", max)
	return Mode{kind: prefixed, header: h, max: max}
}

// Exact cuts one frame of exactly n bytes: the body of an HTTP request whose
// Content-Length is n, a RESP bulk string. It is usually given to Then, for
// the next frame only. Exact(0) gives an empty frame without reading
// anything; as the mode of every frame (New, Set) it would give empty
// frames for ever, so give it to Then. The Framer holds up to n bytes when
// the frame spans pieces, so n is a limit the caller has checked. Exact
// panics when n is negative.
func Exact(n int) Mode {
	if n < 0 {
		panic(fmt.Sprintf("framing: Exact(%d): a length cannot be negative", n))
	}
	return Mode{kind: exact, max: n}
}

// delimBytes returns m's delimiter as bytes without copying it.
func (m *Mode) delimBytes() []byte { return unsafeBytes(m.delim) }

// unsafeBytes returns the bytes of s without copying them. They must be
// read, never written.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func checkMax(fn string, max int) {
	if max < 0 {
		panic(fmt.Sprintf("framing: %s with a negative limit %d", fn, max))
	}
}

// limit is the most bytes the Framer may hold for a frame of m: the frame
// and, for a delimited mode, the part of a delimiter that may end it.
func (m Mode) limit() int {
	if m.kind == delimited {
		if m.trimCR {
			return m.max + 1
		}
		return m.max + len(m.delim) - 1
	}
	return m.max
}

// describe names m in error messages.
func (m Mode) describe() string {
	switch m.kind {
	case delimited:
		if m.trimCR {
			return "Lines(" + strconv.Itoa(m.max) + ")"
		}
		return "Delimited(" + strconv.Quote(m.delim) + ", " + strconv.Itoa(m.max) + ")"
	case prefixed:
		return "Prefixed(" + m.header.describe() + ", " + strconv.Itoa(m.max) + ")"
	case exact:
		return "Exact(" + strconv.Itoa(m.max) + ")"
	}
	return "the zero Mode"
}

func (m Mode) check(fn string) {
	if m.kind == 0 {
		panic("framing: " + fn + " with the zero Mode: use Lines, Delimited, Prefixed or Exact")
	}
}

// Header is the length header of a Prefixed frame.
type Header uint8

// The length headers Prefixed reads and Prefixer writes.
const (
	U8      Header = iota + 1 // one byte: frames of up to 255 bytes
	U16                       // two bytes, big-endian (network order)
	U32                       // four bytes, big-endian
	Uvarint                   // 1 to 10 bytes, as encoding/binary's PutUvarint writes it
)

// size is the length of a fixed header, -1 for Uvarint, 0 for an unknown
// Header.
func (h Header) size() int {
	switch h {
	case U8:
		return 1
	case U16:
		return 2
	case U32:
		return 4
	case Uvarint:
		return -1
	}
	return 0
}

// maxLen is the longest frame h can announce.
func (h Header) maxLen() uint64 {
	switch h {
	case U8:
		return 1<<8 - 1
	case U16:
		return 1<<16 - 1
	case U32:
		return 1<<32 - 1
	}
	return 1<<64 - 1
}

// append appends the header announcing n bytes to b; n is at most
// h.maxLen().
func (h Header) append(b []byte, n uint64) []byte {
	switch h {
	case U8:
		return append(b, byte(n))
	case U16:
		return binary.BigEndian.AppendUint16(b, uint16(n))
	case U32:
		return binary.BigEndian.AppendUint32(b, uint32(n))
	}
	return binary.AppendUvarint(b, n)
}

func (h Header) describe() string {
	switch h {
	case U8:
		return "U8"
	case U16:
		return "U16"
	case U32:
		return "U32"
	case Uvarint:
		return "Uvarint"
	}
	return "Header(" + strconv.Itoa(int(h)) + ")"
}
