package framing_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kamgen/kamgen/runtime/framing"
)

// A handler gets the stream in pieces split anywhere; the Framer gives it
// whole lines, and says when one is too long.
func Example() {
	f := framing.New(framing.Lines(16))
	pieces := []string{"HELO exa", "mple.org\r\nNOOP\r", "\nthis line is far too long\r\nQUIT\r\n"}
	for _, piece := range pieces {
		p := []byte(piece)
		for len(p) > 0 {
			line, n, err := f.Cut(p)
			p = p[n:]
			switch {
			case errors.Is(err, framing.ErrTooLong):
				fmt.Println("500 line too long")
			case err != nil:
				fmt.Println("error:", err)
				return
			case line != nil:
				fmt.Printf("%q\n", line)
			}
		}
	}
	if err := f.End(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// "HELO example.org"
	// "NOOP"
	// 500 line too long
	// "QUIT"
}

// A RESP bulk string: the line "$5" announces a body of 5 bytes and its
// "\r\n"; Then cuts the next frame by Exact, then lines again, even though
// the body and the next command arrive in one piece.
func ExampleFramer_Then() {
	f := framing.New(framing.Lines(512))
	p := []byte("$5\r\nhello\r\n*1\r\n")
	for len(p) > 0 {
		frame, n, err := f.Cut(p)
		p = p[n:]
		if err != nil || frame == nil {
			break
		}
		fmt.Printf("%q\n", frame)
		if size, ok := strings.CutPrefix(string(frame), "$"); ok {
			n, err := strconv.Atoi(size)
			if err != nil || n < 0 || n > 512 {
				fmt.Println("bad bulk length")
				return
			}
			f.Then(framing.Exact(n + 2)) // the body and its "\r\n"
		}
	}
	// Output:
	// "$5"
	// "hello\r\n"
	// "*1"
}

// An SMTP server reads commands as lines and, after DATA, the message up
// to "\r\n.\r\n", then commands again.
func ExampleFramer_Set() {
	commands := framing.Lines(1000)
	message := framing.Delimited("\r\n.\r\n", 10<<20)
	f := framing.New(commands)
	p := []byte("DATA\r\nSubject: hi\r\n\r\nHello\r\n.\r\nQUIT\r\n")
	for len(p) > 0 {
		frame, n, err := f.Cut(p)
		p = p[n:]
		if err != nil || frame == nil {
			break
		}
		fmt.Printf("%q\n", frame)
		switch string(frame) {
		case "DATA":
			f.Set(message)
		default:
			f.Set(commands)
		}
	}
	// Output:
	// "DATA"
	// "Subject: hi\r\n\r\nHello"
	// "QUIT"
}

// A length-prefixed frame that announces more than the limit is skipped
// without being held; the next frame is cut as usual.
func ExamplePrefixed() {
	f := framing.New(framing.Prefixed(framing.U8, 4))
	p := []byte("\x02hi\x06toobig\x03bye")
	for len(p) > 0 {
		frame, n, err := f.Cut(p)
		p = p[n:]
		switch {
		case err != nil:
			fmt.Println(err)
		case frame != nil:
			fmt.Printf("%q\n", frame)
		}
	}
	// Output:
	// "hi"
	// framing: Prefixed(U8, 4): a header announces a frame of 6 bytes, over the limit of 4; the frame is skipped: frame too long
	// "bye"
}
