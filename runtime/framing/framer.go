package framing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrTooLong is what a frame longer than its Mode's limit is reported as
// (match it with errors.Is; the error says which mode and limit). It is
// recoverable: Cut reports it once, as soon as it knows the frame is too
// long, holds none of the frame's excess bytes, skips the rest of the frame
// (up to and including the next delimiter, or the length its header
// announced) and then cuts the next frame as usual. A line protocol answers
// "line too long" and reads on.
var ErrTooLong = errors.New("frame too long")

// ErrBadHeader is what a Prefixed length header that cannot be read (a
// uvarint longer than 64 bits) is reported as (match it with errors.Is). It
// is not recoverable: nothing says where the next frame starts, so every
// later Cut and End return the same error until Reset. Close the
// connection.
var ErrBadHeader = errors.New("unreadable length header")

// empty is the frame of an Exact(0), or of an empty line when the piece it
// came in has no room of its own: never nil.
var empty = make([]byte, 0)

// Framer cuts a byte stream, handed over in pieces of any size, into whole
// frames, wherever the pieces were split. Make one with New; the zero
// Framer is not usable. A Framer is not safe for use by several goroutines
// at once: it belongs to the one handler that reads the stream.
//
// A frame returned by Cut is valid until the next call to Cut, Then, Set or
// Reset on the same Framer: it aliases the piece given to Cut when the
// whole frame lies in it (no copy), and the Framer's own buffer when it
// spans pieces. Copy it to keep it. Its capacity ends with it, so that
// appending to it copies rather than writing over the stream.
//
// The buffer is allocated when a frame first spans pieces, grows to at most
// the limit of the mode (max, plus the part of a delimiter that may end the
// frame) and is reused, so that cutting frames allocates nothing once
// warm, and memory never grows past the limit however long a frame claims
// to be.
type Framer struct {
	base    Mode // the mode of each frame, unless Then said otherwise
	then    Mode // the mode of the next frame, when hasThen
	hasThen bool

	cur   Mode // the mode of the frame begun, when begun
	begun bool // some bytes of the current frame were read

	buf []byte // the frame so far, when it spans pieces

	// Delimited modes.
	skipping bool // the frame was too long: reading up to its delimiter
	part     int  // while skipping, how much of the delimiter the stream ends with

	// Prefixed mode.
	hdr      [binary.MaxVarintLen64]byte // the length header so far
	hn       int                         // bytes in hdr
	haveLen  bool                        // the header was read: the frame is need bytes
	need     int                         // Prefixed and Exact: the frame's length
	skipLeft uint64                      // bytes of a too long frame still to skip

	err error // ErrBadHeader: sticky
}

// New returns a Framer that cuts every frame by m, until Set or Then says
// otherwise. It panics on the zero Mode.
func New(m Mode) *Framer {
	m.check("New")
	return &Framer{base: m}
}

// Then makes the next frame to begin be cut by m; after it, frames are cut
// by the Framer's mode again. A handler that has just read "Content-Length:
// 42" and the blank line calls Then(Exact(42)) and gets the body from the
// next Cut, then lines again, even when the body and the next lines came in
// one piece. When a frame has already begun (some of its bytes were read,
// or are being skipped as too long), m is for the frame after it. A second Then before the next frame begins
// replaces the first. Then panics on the zero Mode.
func (f *Framer) Then(m Mode) {
	m.check("Then")
	f.then, f.hasThen = m, true
}

// Set makes every frame from the next one to begin on be cut by m, until
// Set is called again: an SMTP handler calls Set(Delimited("\r\n.\r\n",
// max)) after DATA, and Set(Lines(1000)) when the message is in. A frame
// already begun is finished in its own mode. A pending Then still applies
// to the next frame. Set panics on the zero Mode.
func (f *Framer) Set(m Mode) {
	m.check("Set")
	f.base = m
}

// Reset forgets the frame begun, the bytes of a too long frame still to
// skip, a pending Then and an unreadable header: the next byte given to Cut
// starts a new frame, in the mode last given to New or Set. A server calls
// it where the stream starts over, such as at a STARTTLS, where the
// plaintext read after the command must be thrown away. The buffer is kept
// for reuse.
func (f *Framer) Reset() {
	f.hasThen = false
	f.begun = false
	f.buf = f.buf[:0]
	f.skipping, f.part = false, 0
	f.hn, f.haveLen, f.need, f.skipLeft = 0, false, 0, 0
	f.err = nil
}

// Buffered returns how many bytes of a frame begun the Framer holds: the
// part of a frame that spans pieces, or of a length header. It is zero
// between frames and while the rest of a too long frame is skipped, and
// never more than the limit of the frame's mode: max for Prefixed and
// Exact, and for Lines and Delimited max plus the part of the delimiter
// that may follow (max+1 for Lines: the "\r" before a "\n").
func (f *Framer) Buffered() int { return len(f.buf) + f.hn }

// End tells the Framer that the stream has ended. It returns nil when no
// frame was begun, and otherwise an error wrapping io.ErrUnexpectedEOF that
// says how far the frame got. A too long frame being skipped was reported
// already: End returns nil for it. After an unreadable header End returns
// that error again. End changes nothing: call Reset to use the Framer on
// another stream.
func (f *Framer) End() error {
	if f.err != nil {
		return f.err
	}
	if !f.begun || f.skipping || f.skipLeft > 0 {
		return nil
	}
	m := f.cur
	switch {
	case m.kind == delimited:
		return fmt.Errorf("framing: %s: the stream ended in a frame of %d bytes before its delimiter %q: %w",
			m.describe(), len(f.buf), m.delim, io.ErrUnexpectedEOF)
	case m.kind == prefixed && !f.haveLen:
		return fmt.Errorf("framing: %s: the stream ended after %d bytes of a length header: %w",
			m.describe(), f.hn, io.ErrUnexpectedEOF)
	default:
		return fmt.Errorf("framing: %s: the stream ended after %d of the frame's %d bytes: %w",
			m.describe(), len(f.buf), f.need, io.ErrUnexpectedEOF)
	}
}

// Cut returns the next frame found in p, the unread part of the current
// piece of the stream, and n, how many bytes of p it used (0 <= n <=
// len(p)). Give it p[n:] next, and the next piece once p is used up:
//
//	for len(p) > 0 {
//		frame, n, err := f.Cut(p)
//		p = p[n:]
//		switch {
//		case err != nil:
//			// a bad frame: answer, or give up on the stream
//		case frame == nil:
//			// p was used up: wait for the next piece
//		default:
//			// a whole frame (maybe empty)
//		}
//	}
//
// Cut reports one of three things:
//   - frame == nil && err == nil: p was used up (n == len(p)) and the frame
//     is not complete yet: call again with the next piece.
//   - frame != nil: a whole frame, which may be empty but is never nil. See
//     Framer for how long it is valid.
//   - err != nil: a bad frame, wrapping ErrTooLong (recoverable: call Cut
//     again with p[n:]) or ErrBadHeader (not recoverable: every later Cut
//     returns it with n == 0).
//
// An Exact(0) frame takes no bytes: Cut returns it even when p is empty.
func (f *Framer) Cut(p []byte) (frame []byte, n int, err error) {
	if f.err != nil {
		return nil, 0, f.err
	}
	if m := &f.base; !f.begun && !f.hasThen && m.kind == delimited {
		// The common case, a whole line in p, without the general loop.
		if i := index(p, m.delim); i >= 0 {
			size := i
			if m.trimCR && i > 0 && p[i-1] == '\r' {
				size--
			}
			if size <= m.max {
				return p[:size:size], i + len(m.delim), nil
			}
		}
	}
	for {
		if !f.begun {
			m := f.base
			if f.hasThen {
				m = f.then
			}
			if m.kind == 0 {
				panic("framing: Cut on a Framer not made by New")
			}
			if len(p[n:]) == 0 && (m.kind != exact || m.max != 0) {
				return nil, n, nil // p is used up; the mode of the next frame stays open
			}
			f.hasThen = false
			f.cur, f.begun = m, true
			f.need, f.haveLen = m.max, m.kind == exact
		}
		var used int
		switch f.cur.kind {
		case delimited:
			frame, used, err = f.cutDelimited(p[n:])
		default:
			frame, used, err = f.cutCounted(p[n:])
		}
		n += used
		if frame != nil || err != nil || n == len(p) {
			return frame, n, err
		}
		// The rest of a too long frame ended inside p: go on with the next.
	}
}

// done ends the current frame.
func (f *Framer) done() { f.begun = false }

// take ends the current frame with the bytes in buf, which stay valid until
// the buffer is next written.
func (f *Framer) take() []byte {
	frame := f.buf[:len(f.buf):len(f.buf)]
	f.buf = f.buf[:0]
	f.done()
	return nonNil(frame)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return empty
	}
	return b
}

// hold appends b to the frame begun, growing the buffer to at most the
// limit of the frame's mode.
func (f *Framer) hold(b []byte) {
	if want := len(f.buf) + len(b); want > cap(f.buf) {
		c := max(2*cap(f.buf), want, 512)
		c = min(c, max(f.cur.limit(), want))
		nb := make([]byte, len(f.buf), c)
		copy(nb, f.buf)
		f.buf = nb
	}
	f.buf = append(f.buf, b...)
}

// cutDelimited cuts a Lines or Delimited frame from p. The buffer never
// holds a whole delimiter, and holds more than max bytes only when what
// follows the max'th byte may be the start of the delimiter.
func (f *Framer) cutDelimited(p []byte) (frame []byte, used int, err error) {
	m := &f.cur
	d := m.delimBytes()
	if f.skipping {
		tail := d[:f.part]
		if k := straddle(tail, p, d); k > 0 {
			f.skipping, f.part = false, 0
			f.done()
			return nil, len(d) - k, nil
		}
		if i := bytes.Index(p, d); i >= 0 {
			f.skipping, f.part = false, 0
			f.done()
			return nil, i + len(d), nil
		}
		f.part = prefixAtEnd(tail, p, d)
		return nil, len(p), nil
	}

	// A delimiter that begins in the buffer and ends in p.
	if k := straddle(f.buf, p, d); k > 0 {
		used = len(d) - k
		f.buf = f.buf[:len(f.buf)-k]
		if len(f.buf) > m.max {
			return nil, used, f.tooLong()
		}
		return f.take(), used, nil
	}
	// A delimiter in p.
	if i := bytes.Index(p, d); i >= 0 {
		used = i + len(d)
		size := len(f.buf) + i
		if m.trimCR && size > 0 && lastByte(f.buf, p[:i]) == '\r' {
			size--
		}
		if size > m.max {
			return nil, used, f.tooLong()
		}
		if len(f.buf) == 0 {
			f.done()
			return p[:size:size], used, nil // non-nil: p holds d
		}
		f.hold(p[:i])
		f.buf = f.buf[:size]
		return f.take(), used, nil
	}
	// No delimiter yet. The frame is too long if no delimiter can start
	// within its first max+1 bytes.
	part := prefixAtEnd(f.buf, p, d)
	earliest := len(f.buf) + len(p) - part
	if m.trimCR && earliest > 0 && lastByte(f.buf, p) == '\r' {
		earliest--
	}
	if earliest > m.max {
		f.buf = f.buf[:0]
		f.skipping, f.part = true, part
		return nil, len(p), f.tooLong()
	}
	f.hold(p)
	return nil, len(p), nil
}

// index returns the index of the first delim in p, or -1.
func index(p []byte, delim string) int {
	if len(delim) == 1 {
		return bytes.IndexByte(p, delim[0])
	}
	return bytes.Index(p, unsafeBytes(delim))
}

// lastByte returns the last byte of a followed by b; there must be one.
func lastByte(a, b []byte) byte {
	if len(b) > 0 {
		return b[len(b)-1]
	}
	return a[len(a)-1]
}

// straddle returns k > 0 when a delimiter d begins in the last k bytes of
// a and ends at the start of b, taking the largest such k (the earliest
// delimiter); 0 when there is none.
func straddle(a, b, d []byte) int {
	for k := min(len(a), len(d)-1); k > 0; k-- {
		if bytes.HasSuffix(a, d[:k]) && bytes.HasPrefix(b, d[k:]) {
			return k
		}
	}
	return 0
}

// prefixAtEnd returns the length of the longest proper prefix of d that a
// followed by b ends with.
func prefixAtEnd(a, b, d []byte) int {
	for k := min(len(a)+len(b), len(d)-1); k > 0; k-- {
		if endsWith(a, b, d[:k]) {
			return k
		}
	}
	return 0
}

// endsWith reports whether a followed by b ends with s.
func endsWith(a, b, s []byte) bool {
	if len(s) <= len(b) {
		return bytes.Equal(b[len(b)-len(s):], s)
	}
	k := len(s) - len(b) // bytes of s in a
	return len(a) >= k && bytes.Equal(b, s[k:]) && bytes.Equal(a[len(a)-k:], s[:k])
}

// cutCounted cuts a Prefixed or Exact frame from p.
func (f *Framer) cutCounted(p []byte) (frame []byte, used int, err error) {
	m := &f.cur
	if f.skipLeft > 0 {
		k := min(uint64(len(p)), f.skipLeft)
		f.skipLeft -= k
		if f.skipLeft == 0 {
			f.done()
		}
		return nil, int(k), nil
	}
	if !f.haveLen {
		size := m.header.size() // -1: a uvarint ends at a byte below 0x80
		complete := false
		for used < len(p) && !complete {
			c := p[used]
			f.hdr[f.hn] = c
			f.hn++
			used++
			complete = f.hn == size || size < 0 && (c < 0x80 || f.hn == len(f.hdr))
		}
		if !complete {
			return nil, used, nil // the header goes on in the next piece
		}
		length, err := f.readHeader()
		if err != nil {
			return nil, used, err
		}
		if length > uint64(m.max) {
			f.skipLeft = length
			return nil, used, fmt.Errorf("framing: %s: a header announces a frame of %d bytes, over the limit of %d; the frame is skipped: %w",
				m.describe(), length, m.max, ErrTooLong)
		}
		f.need, f.haveLen = int(length), true
		p = p[used:]
	}
	if len(f.buf) == 0 && len(p) >= f.need {
		f.done()
		return nonNil(p[:f.need:f.need]), used + f.need, nil
	}
	k := min(f.need-len(f.buf), len(p))
	f.hold(p[:k])
	used += k
	if len(f.buf) == f.need {
		return f.take(), used, nil
	}
	return nil, used, nil
}

// readHeader decodes the complete header in hdr.
func (f *Framer) readHeader() (uint64, error) {
	h := f.hdr[:f.hn]
	f.hn = 0
	switch f.cur.header {
	case U8:
		return uint64(h[0]), nil
	case U16:
		return uint64(binary.BigEndian.Uint16(h)), nil
	case U32:
		return uint64(binary.BigEndian.Uint32(h)), nil
	}
	v, n := binary.Uvarint(h)
	if n <= 0 {
		f.err = fmt.Errorf("framing: %s: a uvarint length header longer than 64 bits (% x); the stream is out of step: close it: %w",
			f.cur.describe(), h, ErrBadHeader)
		return 0, f.err
	}
	return v, nil
}

// tooLong ends a frame that went over the limit of its mode.
func (f *Framer) tooLong() error {
	m := &f.cur
	if !f.skipping {
		f.buf = f.buf[:0]
		f.done()
	}
	return fmt.Errorf("framing: %s: a frame longer than %d bytes; it is skipped: %w", m.describe(), m.max, ErrTooLong)
}
