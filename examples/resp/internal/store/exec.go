package store

import (
	"bytes"
	"strconv"
	"time"
)

// Exec runs the command args (its name first) on the store and appends its
// RESP2 reply to out. The commands are PING, ECHO, SET (with EX or PX),
// GET, DEL, EXISTS, INCR and MGET, named in any case; another is answered
// with an error, as Redis does, and the connection goes on. args is not
// kept.
func (s *Store) Exec(out []byte, args [][]byte) []byte {
	if len(args) == 0 {
		return out
	}
	var lower [8]byte
	name := args[0]
	cmd := ""
	if len(name) <= len(lower) {
		for i, c := range name {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		cmd = string(lower[:len(name)]) // the compiler does not allocate for a switch on it
	}
	switch cmd {
	case "ping":
		switch len(args) {
		case 1:
			return append(out, "+PONG\r\n"...)
		case 2:
			return AppendBulk(out, args[1])
		}
	case "echo":
		if len(args) == 2 {
			return AppendBulk(out, args[1])
		}
	case "get":
		if len(args) == 2 {
			out, ok := s.get(out, args[1], true)
			if !ok {
				return append(out, "$-1\r\n"...)
			}
			return out
		}
	case "set":
		if len(args) == 3 || len(args) == 5 {
			var exp int64
			if len(args) == 5 {
				var ok bool
				if exp, ok = expiry(args[3], args[4], s.nowNano()); !ok {
					if exp < 0 {
						return append(out, "-ERR invalid expire time in 'set' command\r\n"...)
					}
					return append(out, "-ERR syntax error\r\n"...)
				}
			}
			s.set(args[1], args[2], exp)
			return append(out, "+OK\r\n"...)
		}
		if len(args) > 3 {
			return append(out, "-ERR syntax error\r\n"...)
		}
	case "del", "exists":
		if len(args) >= 2 {
			n := 0
			for _, k := range args[1:] {
				var there bool
				if cmd == "del" {
					there = s.del(k)
				} else {
					_, there = s.get(nil, k, false)
				}
				if there {
					n++
				}
			}
			return AppendInt(out, int64(n))
		}
	case "incr":
		if len(args) == 2 {
			n, ok := s.incr(args[1])
			if !ok {
				return append(out, "-ERR value is not an integer or out of range\r\n"...)
			}
			return AppendInt(out, n)
		}
	case "mget":
		if len(args) >= 2 {
			out = append(out, '*')
			out = strconv.AppendInt(out, int64(len(args)-1), 10)
			out = append(out, '\r', '\n')
			for _, k := range args[1:] {
				var ok bool
				if out, ok = s.get(out, k, true); !ok {
					out = append(out, "$-1\r\n"...)
				}
			}
			return out
		}
	default:
		out = append(out, "-ERR unknown command '"...)
		out = appendSafe(out, name)
		return append(out, "'\r\n"...)
	}
	out = append(out, "-ERR wrong number of arguments for '"...)
	out = append(out, cmd...)
	return append(out, "' command\r\n"...)
}

// expiry reads SET's EX seconds or PX milliseconds into a deadline; a
// number that is not positive gives -1.
func expiry(opt, val []byte, now int64) (int64, bool) {
	var unit time.Duration
	switch {
	case bytes.EqualFold(opt, []byte("ex")):
		unit = time.Second
	case bytes.EqualFold(opt, []byte("px")):
		unit = time.Millisecond
	default:
		return 0, false
	}
	n, ok := ParseInt(val)
	if !ok || n <= 0 || n > int64(1<<62)/int64(unit) {
		return -1, false
	}
	return now + n*int64(unit), true
}

// ParseInt reads a decimal int64 ("-12", "7"), as strconv.ParseInt does,
// without making a string of b.
func ParseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg || len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && n <= 1<<63:
		return -int64(n), true
	case !neg && n < 1<<63:
		return int64(n), true
	}
	return 0, false
}

// AppendBulk appends b as a RESP bulk string.
func AppendBulk(out, b []byte) []byte {
	out = append(out, '$')
	out = strconv.AppendInt(out, int64(len(b)), 10)
	out = append(out, '\r', '\n')
	out = append(out, b...)
	return append(out, '\r', '\n')
}

// AppendInt appends n as a RESP integer.
func AppendInt(out []byte, n int64) []byte {
	out = append(out, ':')
	out = strconv.AppendInt(out, n, 10)
	return append(out, '\r', '\n')
}

// AppendError appends a RESP error: "-ERR " and msg.
func AppendError(out []byte, msg string) []byte {
	out = append(out, "-ERR "...)
	out = append(out, msg...)
	return append(out, '\r', '\n')
}

// appendSafe appends b, at most 64 bytes of it, with the bytes that would
// break an error line left out.
func appendSafe(out, b []byte) []byte {
	for i, c := range b {
		if i == 64 {
			return append(out, "..."...)
		}
		if c != '\r' && c != '\n' && c != '\'' {
			out = append(out, c)
		}
	}
	return out
}
