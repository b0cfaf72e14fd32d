// Package redisbridge joins a util.Backplane to the backplanes of other
// processes through Redis pub/sub: every message published in one of them
// reaches the subscribers of all of them, once.
//
// Each process runs a Bridge next to its backplane, on the same Redis
// channel:
//
//	room := util.NewBackplane[Said]("room")
//	bridge := redisbridge.NewBridge(room, redis.NewClient(&redis.Options{Addr: addr}), "chat:room")
//	axon.Run(ctx, room, bridge, server)
//
// # How does it work?
//
// The bridge subscribes to its backplane (util.Backplane.Bridge) and
// publishes what is published there on the channel, each message after a
// short header: the process it comes from (a random ID each bridge draws)
// and its number in that process's sequence. It subscribes to the channel
// too, and puts what other processes published on the backplane's
// "remote" inbox, whose messages go to every subscriber but the bridge:
// nothing comes back to the process it came from, and nothing goes round.
//
// A []byte message goes as it is; any other type goes through the Codec,
// encoding/json by default.
//
// # When Redis goes away
//
// Local subscribers go on getting local messages. The bridge logs the
// loss, and tries again with a backoff (100 ms, doubling up to 5 s) until
// Redis is back, when it logs that too. What was published here meanwhile
// waits in the bridge's subscription (util.DropOldest, 65,536 messages by
// default: Policy) and is sent once Redis is back. What the other
// processes published meanwhile is lost, as Redis pub/sub does not keep
// messages: the bridge sees the gap in each process's sequence numbers,
// logs it, and counts it in every local subscription's Lost.
package redisbridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kamgen/kamgen/runtime/axon"
	"github.com/kamgen/kamgen/runtime/util"
)

// Bridge sends what is published on its backplane to Redis, and what other
// processes publish there to its backplane. Configure it through its
// exported fields after NewBridge and before activation.
type Bridge[T any] struct {
	axon.Component
	In      axon.Inbox[T]           `inbox:"inbox"`   // what is published in this process: the bridge's subscription
	Control axon.Inbox[axon.Signal] `inbox:"control"` // any signal stops it

	// Codec encodes messages other than []byte. Default: encoding/json.
	Codec Codec[T]
	// Policy bounds what waits to be sent to Redis. Default
	// util.Policy{Full: util.DropOldest, Max: 65536}.
	Policy util.Policy

	bp      *util.Backplane[T]
	client  redis.UniversalClient
	channel string
	origin  string
}

// Codec turns messages into bytes and back.
type Codec[T any] interface {
	Marshal(m T) ([]byte, error)
	Unmarshal(data []byte) (T, error)
}

// NewBridge returns a bridge between bp and the Redis pub/sub channel channel.
func NewBridge[T any](bp *util.Backplane[T], client redis.UniversalClient, channel string) *Bridge[T] {
	var id [8]byte
	_, _ = rand.Read(id[:])
	return (&Bridge[T]{bp: bp, client: client, channel: channel, origin: hex.EncodeToString(id[:])}).initBoxes()
}

// The bridge's backoff when Redis is away.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// header starts every message on the channel: "kamgen1 ORIGIN SEQ\n".
const header = "kamgen1 "

// Main subscribes to the backplane and to the channel, and moves messages
// both ways until it is stopped.
func (b *Bridge[T]) Main(ctx context.Context) error {
	p := b.Policy
	if p == (util.Policy{}) {
		p = util.Policy{Full: util.DropOldest, Max: 1 << 16}
	}
	sub, lost := b.bp.Bridge(&b.In, p)
	if err := sub.Err(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	ps := b.client.Subscribe(ctx, b.channel)
	received := make(chan struct{})
	go func() {
		defer close(received)
		b.receive(ctx, ps, lost)
	}()
	b.send(ctx, sub)
	cancel()
	_ = ps.Close()
	<-received
	return nil
}

// send publishes on the channel what is published here, until ctx ends
// or a signal comes on control.
func (b *Bridge[T]) send(ctx context.Context, sub *util.Subscription) {
	var seq uint64
	var dropped int64
	away := false
	for {
		m, ok := b.In.TryRecv()
		if !ok {
			if _, ok := b.Control.TryRecv(); ok {
				return
			}
			if b.Wait(ctx) != nil {
				return
			}
			continue
		}
		// What the subscription dropped while Redis was slow or away
		// takes its numbers, so that the other processes count it lost.
		if n := sub.Lost(); n > dropped {
			seq += uint64(n - dropped)
			dropped = n
		}
		seq++
		msg, err := b.encode(seq, m)
		if err != nil {
			b.Log().Error("redis bridge: a message cannot be encoded; it is not sent", "err", err)
			continue
		}
		for backoff := minBackoff; ; backoff = min(2*backoff, maxBackoff) {
			err := b.client.Publish(ctx, b.channel, msg).Err()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			if !away {
				away = true
				b.Log().Warn("redis bridge: cannot publish to Redis; retrying", "channel", b.channel, "err", err)
			}
			if !sleep(ctx, backoff) {
				return
			}
		}
		if away {
			away = false
			b.Log().Info("redis bridge: publishing to Redis again", "channel", b.channel)
		}
	}
}

// receive puts on the backplane what other processes publish on the
// channel, until ctx ends.
func (b *Bridge[T]) receive(ctx context.Context, ps *redis.PubSub, lost func(int64)) {
	last := map[string]uint64{} // each process's last sequence number
	subscribed, away := false, false
	backoff := minBackoff
	for {
		msg, err := ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if subscribed {
				subscribed, away = false, true
				b.Log().Warn("redis bridge: lost Redis; reconnecting", "channel", b.channel, "err", err)
			}
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				subscribed, backoff = true, minBackoff
				if away {
					away = false
					b.Log().Info("redis bridge: back on Redis", "channel", b.channel)
				}
			}
		case *redis.Message:
			b.deliver(ctx, m.Payload, last, lost)
		}
	}
}

// deliver puts one message from the channel on the backplane, unless it
// comes from this process or came already; it counts the messages of its
// process that never came before it.
func (b *Bridge[T]) deliver(ctx context.Context, payload string, last map[string]uint64, lost func(int64)) {
	origin, seq, body, err := parse(payload)
	if err != nil {
		b.Log().Warn("redis bridge: a message on the channel is not a bridge's; it is dropped", "channel", b.channel, "err", err)
		return
	}
	if origin == b.origin {
		return
	}
	prev, seen := last[origin]
	switch {
	case seen && seq <= prev:
		return // a message that came already
	case seen && seq > prev+1:
		n := int64(seq - prev - 1)
		lost(n)
		b.Log().Warn("redis bridge: messages of another process never came", "channel", b.channel, "process", origin, "lost", n)
	}
	if len(last) >= maxOrigins && !seen {
		clear(last) // processes come and go: forget them all now and then
	}
	last[origin] = seq
	m, err := b.decode(body)
	if err != nil {
		b.Log().Warn("redis bridge: a message cannot be decoded; it is dropped", "channel", b.channel, "process", origin, "err", err)
		return
	}
	_ = b.bp.Remote.Put(ctx, m) // only fails when ctx ends
}

// maxOrigins bounds how many processes' sequence numbers the bridge keeps.
const maxOrigins = 4096

// encode writes m after its header: the process it comes from and seq.
func (b *Bridge[T]) encode(seq uint64, m T) ([]byte, error) {
	body, err := b.marshal(m)
	if err != nil {
		return nil, err
	}
	msg := make([]byte, 0, len(header)+len(b.origin)+22+len(body))
	msg = append(msg, header...)
	msg = append(msg, b.origin...)
	msg = append(msg, ' ')
	msg = strconv.AppendUint(msg, seq, 10)
	msg = append(msg, '\n')
	return append(msg, body...), nil
}

// marshal is m's body: through the Codec, as it is for a []byte, or as
// JSON. decode undoes it.
func (b *Bridge[T]) marshal(m T) ([]byte, error) {
	if b.Codec != nil {
		return b.Codec.Marshal(m)
	}
	if p, ok := any(m).([]byte); ok {
		return p, nil
	}
	return json.Marshal(m)
}

func (b *Bridge[T]) decode(body string) (T, error) {
	var m T
	if b.Codec != nil {
		return b.Codec.Unmarshal([]byte(body))
	}
	if p, ok := any(&m).(*[]byte); ok {
		*p = []byte(body)
		return m, nil
	}
	err := json.Unmarshal([]byte(body), &m)
	return m, err
}

// parse splits a message from the channel into its header's fields and
// its body.
func parse(msg string) (origin string, seq uint64, body string, err error) {
	rest, ok := strings.CutPrefix(msg, header)
	if !ok {
		return "", 0, "", errors.New("no kamgen1 header")
	}
	line, body, ok := strings.Cut(rest, "\n")
	if !ok {
		return "", 0, "", errors.New("a header with no end")
	}
	origin, n, ok := strings.Cut(line, " ")
	if !ok || origin == "" {
		return "", 0, "", fmt.Errorf("a bad header %q", line)
	}
	seq, err = strconv.ParseUint(n, 10, 64)
	if err != nil {
		return "", 0, "", fmt.Errorf("a bad sequence number in %q", line)
	}
	return origin, seq, body, nil
}

// sleep waits d, or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

//go:generate go tool kamgen
