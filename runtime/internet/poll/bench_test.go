package poll_test

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/kamgen/kamgen/runtime/internet/poll"
)

// BenchmarkEchoRoundTrip is one connection's ping-pong of 64 bytes: the
// client Writevs, the server (a goroutine woken by Ready, like a component)
// reads and Writevs back, the client reads. ns/op is one round trip.
// "std" is the same over blocking net.Conns, goroutine per connection, for
// reference.
func BenchmarkEchoRoundTrip(b *testing.B) {
	const size = 64
	for _, pc := range pollerCases() {
		b.Run(pc.name, func(b *testing.B) {
			p, err := pc.new()
			if err != nil {
				b.Skip(err)
			}
			defer p.Close()
			l, err := p.Listen("tcp", "127.0.0.1:0", poll.ListenConfig{})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			lw := newWatcher(b)
			l.Watch(lw)
			c, err := p.Dial(ctxTimeout(b), "tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			cw := newWatcher(b)
			c.Watch(cw)
			var s poll.Conn
			for s == nil {
				if s, err = l.Accept(); errors.Is(err, poll.ErrWouldBlock) {
					lw.wait(poll.Readable)
				} else if err != nil {
					b.Fatal(err)
				}
			}
			defer s.Close()
			sw := newWatcher(b)
			s.Watch(sw)

			done := make(chan struct{})
			go func() {
				defer close(done)
				buf := make([]byte, size)
				out := [][]byte{nil}
				for {
					n, err := readFull(s, sw, buf)
					if err != nil {
						return
					}
					out[0] = buf[:n]
					if writeAllErr(s, sw, out...) != nil {
						return
					}
				}
			}()

			msg := pattern(0, size)
			in := make([]byte, size)
			bufs := [][]byte{msg}
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := writeAllErr(c, cw, bufs...); err != nil {
					b.Fatal(err)
				}
				if _, err := readFull(c, cw, in); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			c.CloseWrite()
			<-done
		})
	}
	b.Run("std", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err := ln.Accept()
			if err != nil {
				return
			}
			defer s.Close()
			buf := make([]byte, size)
			for {
				if _, err := io.ReadFull(s, buf); err != nil {
					return
				}
				if _, err := s.Write(buf); err != nil {
					return
				}
			}
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		msg := pattern(0, size)
		in := make([]byte, size)
		b.SetBytes(size)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(c, in); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		c.Close()
		<-done
	})
}

// readFull fills buf from c, waiting on w (without a timer: the benchmark's
// hot path). It returns io.EOF, or another error, as Read does.
func readFull(c poll.Conn, w *watcher, buf []byte) (int, error) {
	got := 0
	for got < len(buf) {
		n, err := c.Read(buf[got:])
		got += n
		switch {
		case err == nil:
		case errors.Is(err, poll.ErrWouldBlock):
			for w.take(poll.Readable) == 0 {
				<-w.sig
			}
		default:
			return got, err
		}
	}
	return got, nil
}
