// Plain is examples/chat written the plain Go way, the yardstick the
// kamgen server is measured against: a goroutine per connection reading
// lines with a bufio.Reader, a room that keeps its clients in a set under
// a mutex, and for each client a queue of 1,024 lines drained by a writer
// goroutine through a bufio.Writer that is flushed when the queue is
// empty (so lines said together go out in one write). A client whose
// queue is full is disconnected, as the kamgen server disconnects one
// that does not read. It has the same commands, notices and limits.
//
//	go run ./examples/chat/plain -addr 127.0.0.1:1503
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/kamgen/kamgen/examples/internal/exmain"
)

// The limits, as the kamgen server's.
const (
	maxLine  = 4096 // the longest line a client may send, without its line ending
	maxNick  = 32   // the longest nick
	maxQueue = 1024 // the lines that may wait for a client before it is disconnected
)

func main() {
	exmain.Main("chat-plain", func(ctx context.Context, args []string) error { return run(ctx, args, nil) })
}

// run serves the chat until ctx ends; ready, if not nil, is told the
// address the server listens on once it does.
func run(ctx context.Context, args []string, ready func(addr string)) error {
	fs := flag.NewFlagSet("chat-plain", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:1503", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	room := &room{clients: map[*client]bool{}, taken: map[string]bool{}}
	return exmain.ServePlain(ctx, "chat-plain", *addr, ready, func(c net.Conn) {
		cl := &client{conn: c, out: make(chan []byte, maxQueue)}
		var writer sync.WaitGroup
		writer.Go(cl.write)
		room.serve(cl)
		writer.Wait()
	})
}

// client is one connection to the chat.
type client struct {
	conn net.Conn
	// out holds the lines that wait to be written to the client. It is
	// sent to only under the room's lock, while the client is in the
	// room, and closed when it leaves the room.
	out  chan []byte
	nick string // under the room's lock
}

// write writes what is queued for c until its queue is closed, flushing
// whenever the queue is empty, then closes the connection. When a write
// fails it closes the connection at once, which ends c's reader.
func (c *client) write() {
	defer c.conn.Close()
	w := bufio.NewWriter(c.conn)
	for line := range c.out {
		if _, err := w.Write(line); err != nil {
			return
		}
		if len(c.out) == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
	_ = w.Flush()
}

// room is the clients of the server and the nicks they use.
type room struct {
	mu      sync.Mutex
	clients map[*client]bool
	taken   map[string]bool
	guests  int
}

// serve runs c's reader: c joins the room, says what it reads, and leaves
// when its connection ends or it quits.
func (r *room) serve(c *client) {
	r.join(c)
	defer r.leave(c)
	in := bufio.NewReaderSize(c.conn, maxLine+2)
	for {
		line, err := in.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			r.tell(c, fmt.Sprintf("* that line is too long: at most %d bytes\n", maxLine))
			if err = skipLine(in); err != nil {
				return
			}
			continue
		}
		if err != nil {
			return // a last line without its "\n" is not a line
		}
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
		if len(line) > maxLine {
			r.tell(c, fmt.Sprintf("* that line is too long: at most %d bytes\n", maxLine))
			continue
		}
		if !r.command(c, line) {
			return
		}
	}
}

// skipLine reads up to and including the next "\n".
func skipLine(in *bufio.Reader) error {
	for {
		_, err := in.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// command runs what c typed: a command or a line to say. It returns false
// when c quits.
func (r *room) command(c *client, line []byte) bool {
	cmd, arg, _ := bytes.Cut(line, []byte(" "))
	switch string(cmd) {
	case "/nick":
		r.rename(c, string(arg))
	case "/who":
		r.mu.Lock()
		nicks := make([]string, 0, len(r.taken))
		for nick := range r.taken {
			nicks = append(nicks, nick)
		}
		r.mu.Unlock()
		slices.Sort(nicks)
		r.tell(c, "* here: "+strings.Join(nicks, " ")+"\n")
	case "/quit":
		r.tell(c, "* bye\n")
		return false
	default:
		r.mu.Lock()
		msg := make([]byte, 0, len(c.nick)+len(line)+4)
		msg = append(append(append(append(msg, '<'), c.nick...), "> "...), line...)
		r.say(c, append(msg, '\n'))
		r.mu.Unlock()
	}
	return true
}

// join gives c a guest nick and puts it in the room: c is welcomed, and
// the others told.
func (r *room) join(c *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		r.guests++
		if nick := fmt.Sprintf("guest%d", r.guests); !r.taken[nick] {
			c.nick = nick
			break
		}
	}
	r.taken[c.nick] = true
	r.clients[c] = true
	r.send(c, fmt.Appendf(nil, "* welcome, %s: /nick NAME, /who, /quit\n", c.nick))
	r.say(c, fmt.Appendf(nil, "* %s joined\n", c.nick))
}

// leave takes c out of the room, if it is not out already, frees its nick
// and tells the others. c's writer then writes what is queued and closes
// the connection.
func (r *room) leave(c *client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drop(c)
	delete(r.taken, c.nick)
	r.say(c, fmt.Appendf(nil, "* %s left\n", c.nick))
}

// rename gives c the nick name, if it is free and valid.
func (r *room) rename(c *client, name string) {
	if name == "" || len(name) > maxNick || strings.ContainsAny(name, " \t\r\n") {
		r.tell(c, fmt.Sprintf("* a nick is 1 to %d characters, with no spaces\n", maxNick))
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.taken[name] {
		r.send(c, []byte("* "+name+" is taken\n"))
		return
	}
	delete(r.taken, c.nick)
	r.taken[name] = true
	r.say(c, []byte("* "+c.nick+" is now "+name+"\n"))
	c.nick = name
}

// tell queues line for c alone.
func (r *room) tell(c *client, line string) {
	r.mu.Lock()
	r.send(c, []byte(line))
	r.mu.Unlock()
}

// say queues line for every client in the room but from. r.mu is held.
func (r *room) say(from *client, line []byte) {
	for c := range r.clients {
		if c != from {
			r.send(c, line)
		}
	}
}

// send queues line for c, if c is in the room; a client whose queue is
// full is dropped from the room and its connection closed, which ends its
// reader: it then leaves, and the others are told. r.mu is held.
func (r *room) send(c *client, line []byte) {
	if !r.clients[c] {
		return
	}
	select {
	case c.out <- line:
	default:
		slog.Info("chat-plain: a client that does not read is disconnected", "nick", c.nick, "queued", maxQueue)
		r.drop(c)
		c.conn.Close()
	}
}

// drop takes c out of the room and closes its queue, if it is in the
// room. r.mu is held.
func (r *room) drop(c *client) {
	if r.clients[c] {
		delete(r.clients, c)
		close(c.out)
	}
}
