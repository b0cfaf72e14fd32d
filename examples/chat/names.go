package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Names keeps the nicks in use in a room. Its methods may block (Redis):
// a client calls them off the workers (axon.Go).
type Names interface {
	// Guest takes a new guest nick.
	Guest(ctx context.Context) (string, error)
	// Rename gives nick up for name, if name is valid and free.
	Rename(ctx context.Context, nick, name string) error
	// Release gives nick up: once it returns, the nick is free to take in
	// every process.
	Release(ctx context.Context, nick string)
	// List returns the nicks in use, sorted, separated by spaces.
	List(ctx context.Context) (string, error)
}

// maxNick is the longest nick.
const maxNick = 32

func checkNick(name string) error {
	if name == "" || len(name) > maxNick || strings.ContainsAny(name, " \t\r\n") {
		return fmt.Errorf("a nick is 1 to %d characters, with no spaces", maxNick)
	}
	return nil
}

// memoryNames are the nicks of a room in one process.
type memoryNames struct {
	mu     sync.Mutex
	taken  map[string]bool
	guests int
}

func newMemoryNames() *memoryNames { return &memoryNames{taken: map[string]bool{}} }

func (n *memoryNames) Guest(context.Context) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for {
		n.guests++
		if nick := fmt.Sprintf("guest%d", n.guests); !n.taken[nick] {
			n.taken[nick] = true
			return nick, nil
		}
	}
}

func (n *memoryNames) Rename(_ context.Context, nick, name string) error {
	if err := checkNick(name); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.taken[name] {
		return fmt.Errorf("%s is taken", name)
	}
	delete(n.taken, nick)
	n.taken[name] = true
	return nil
}

func (n *memoryNames) Release(_ context.Context, nick string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.taken, nick)
}

func (n *memoryNames) List(context.Context) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	nicks := make([]string, 0, len(n.taken))
	for nick := range n.taken {
		nicks = append(nicks, nick)
	}
	slices.Sort(nicks)
	return strings.Join(nicks, " "), nil
}

// redisNames are the nicks of a room that several server processes share,
// kept in Redis: a hash from each nick to who holds it ("PROCESS:N"), and
// for each process a key that lives while it does (it is renewed every
// aliveEvery and expires after aliveFor). A nick held by a process whose
// key has expired (it crashed) is free. The process keeps the nicks its
// own clients hold, too, with what it wrote for each in Redis: a nick
// given up is deleted only if it is still that.
type redisNames struct {
	client *redis.Client
	id     string // this process
	log    *slog.Logger

	mu     sync.Mutex        // serialises claims
	mine   map[string]string // the nicks this process's clients hold, and their values in Redis
	claims int

	wg   sync.WaitGroup
	done chan struct{}
}

const (
	namesKey   = "kamgen:chat:nicks"
	guestsKey  = "kamgen:chat:guests"
	alivePfx   = "kamgen:chat:alive:"
	aliveEvery = 10 * time.Second
	aliveFor   = 30 * time.Second
)

// claimScript sets the nick KEYS[2] to ARGV[1] ("PROCESS:N") unless
// another live process holds it (this process knows its own).
var claimScript = redis.NewScript(`
local owner = redis.call('HGET', KEYS[1], KEYS[2])
if owner then
  local proc = string.match(owner, '^[^:]*')
  if proc ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. proc) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], KEYS[2], ARGV[1])
return 1`)

// releaseScript deletes the nick KEYS[2] if it is still ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], KEYS[2]) == ARGV[1] then redis.call('HDEL', KEYS[1], KEYS[2]) end
return 0`)

// newRedisNames marks this process alive in Redis and keeps it so until
// Close.
func newRedisNames(ctx context.Context, client *redis.Client) (*redisNames, error) {
	var id [8]byte
	_, _ = rand.Read(id[:])
	n := &redisNames{client: client, id: hex.EncodeToString(id[:]), log: slog.Default(),
		mine: map[string]string{}, done: make(chan struct{})}
	if err := n.alive(ctx); err != nil {
		return nil, fmt.Errorf("keeping nicks in Redis: %w", err)
	}
	n.wg.Add(1)
	go n.run()
	return n, nil
}

func (n *redisNames) alive(ctx context.Context) error {
	return n.client.Set(ctx, alivePfx+n.id, 1, aliveFor).Err()
}

// run renews the process's key until Close.
func (n *redisNames) run() {
	defer n.wg.Done()
	tick := time.NewTicker(aliveEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), aliveEvery)
			if err := n.alive(ctx); err != nil {
				n.log.Warn("chat: cannot renew this server's nicks in Redis; they are freed if Redis stays away", "err", err)
			}
			cancel()
		case <-n.done:
			return
		}
	}
}

func (n *redisNames) release(ctx context.Context, r [2]string) {
	if err := releaseScript.Run(ctx, n.client, []string{namesKey, r[0]}, r[1]).Err(); err != nil {
		n.log.Warn("chat: cannot free a nick in Redis; it is freed when this server's key expires", "nick", r[0], "err", err)
	}
}

// Close stops renewing the process's key, which it deletes: its nicks are
// free.
func (n *redisNames) Close() {
	close(n.done)
	n.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = n.client.Del(ctx, alivePfx+n.id).Err()
}

// claim takes nick for a client of this process, unless someone holds it.
func (n *redisNames) claim(ctx context.Context, nick string) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.mine[nick]; ok {
		return false, nil // a client of this process has it
	}
	n.claims++
	value := fmt.Sprintf("%s:%d", n.id, n.claims)
	got, err := claimScript.Run(ctx, n.client, []string{namesKey, nick}, value, n.id, alivePfx).Int()
	if got == 1 && err == nil {
		n.mine[nick] = value
	}
	return got == 1, err
}

func (n *redisNames) Guest(ctx context.Context) (string, error) {
	for {
		k, err := n.client.Incr(ctx, guestsKey).Result()
		if err != nil {
			return "", err
		}
		nick := fmt.Sprintf("guest%d", k)
		if ok, err := n.claim(ctx, nick); ok || err != nil {
			return nick, err
		}
	}
}

func (n *redisNames) Rename(ctx context.Context, nick, name string) error {
	if err := checkNick(name); err != nil {
		return err
	}
	ok, err := n.claim(ctx, name)
	switch {
	case err != nil:
		return fmt.Errorf("cannot rename now: %w", err)
	case !ok:
		return fmt.Errorf("%s is taken", name)
	}
	if r, ok := n.forget(nick); ok {
		n.release(ctx, r)
	}
	return nil
}

// forget takes nick off this process's nicks and returns what to delete
// in Redis.
func (n *redisNames) forget(nick string) ([2]string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	value, ok := n.mine[nick]
	delete(n.mine, nick)
	return [2]string{nick, value}, ok
}

func (n *redisNames) Release(ctx context.Context, nick string) {
	if r, ok := n.forget(nick); ok {
		n.release(ctx, r)
	}
}

func (n *redisNames) List(ctx context.Context) (string, error) {
	held, err := n.client.HGetAll(ctx, namesKey).Result()
	if err != nil {
		return "", err
	}
	live := map[string]bool{}
	var nicks []string
	for nick, owner := range held {
		proc, _, _ := strings.Cut(owner, ":")
		alive, ok := live[proc]
		if !ok {
			k, err := n.client.Exists(ctx, alivePfx+proc).Result()
			if err != nil {
				return "", err
			}
			alive = k == 1
			live[proc] = alive
		}
		if alive {
			nicks = append(nicks, nick)
		}
	}
	slices.Sort(nicks)
	return strings.Join(nicks, " "), nil
}
