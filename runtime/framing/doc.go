// Package framing cuts a byte stream into frames (lines, delimited
// blocks, length-prefixed messages, fixed-size bodies) wherever the network
// split it, with a limit on every frame.
//
// Bytes reach a protocol handler in whatever pieces the network delivers;
// a handler wants whole frames. A Framer takes the pieces in order and
// returns the frames, the same ones however the stream was split, holding
// at most one frame's worth of bytes (its mode's limit) in between.
//
// A handler loops over each piece it receives:
//
//	f := framing.New(framing.Lines(1000)) // once per connection
//
//	func (h *Handler) onIn(piece []byte) {
//		for len(piece) > 0 {
//			line, n, err := h.f.Cut(piece)
//			piece = piece[n:]
//			switch {
//			case errors.Is(err, framing.ErrTooLong):
//				h.Out.Send([]byte("500 line too long\r\n")) // and read on
//			case err != nil:
//				h.Fail(err) // the stream is out of step
//				return
//			case line != nil:
//				h.command(line) // line is valid until the next Cut
//			}
//		}
//	}
//
// # Modes
//
// A Mode says how frames are cut and how long one may be:
//
//   - Lines(max): up to "\n"; the "\n" and one "\r" before it are dropped.
//   - Delimited(delim, max): up to delim, which is dropped ("\r\n",
//     "\r\n.\r\n").
//   - Prefixed(h, max): a length header (U8, U16, U32 big-endian or
//     Uvarint), then that many bytes; the frame is the bytes.
//   - Exact(n): exactly n bytes (an HTTP body, a RESP bulk string).
//
// New(m) cuts every frame by m. Then(m) cuts only the next frame by m and
// returns to the Framer's mode after it (a body announced by a header
// line); Set(m) changes the mode from the next frame on (SMTP's DATA).
//
// # Ownership
//
// A frame is valid until the next call to Cut, Then, Set or Reset. It
// aliases the piece given to Cut when the whole frame lies in that piece,
// and the Framer's buffer when it spans pieces: nothing is copied that need
// not be. Copy a frame to keep it. Cutting allocates nothing per frame once
// the buffer has grown; the buffer never grows past the mode's limit.
//
// # Errors
//
// A frame over its mode's limit is an error wrapping ErrTooLong. It is
// reported once, as soon as the Framer knows, and is recoverable: the
// Framer skips the rest of that frame without holding it and goes on with
// the next one. A length header that cannot be read is an error wrapping
// ErrBadHeader; it is not recoverable, since nothing says where the next
// frame starts. At the end of the stream End reports a frame begun and not
// finished (wrapping io.ErrUnexpectedEOF).
//
// # Pipeline stages
//
// Splitter and Prefixer are the same cuts as components, for a
// chassis.Pipeline: Splitter turns pieces of a stream into frames (with
// Prefixed, it is Kamaelia's DataDeChunker), and Prefixer writes each frame
// after its length header (Kamaelia's DataChunker).
package framing

//go:generate go tool kamgen
