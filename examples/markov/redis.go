package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps the chain in Redis, so that every server pointed at one
// Redis shares one chain: what a client of one server types, the clients
// of the others may read back.
//
// Each pair of words is a Redis hash, whose key is the store's prefix, then
// the two words with a space between them (words hold no white space; the
// start of a line is "\n"), and whose fields count the words seen after the
// pair: a word seen twice as often is picked twice as often. A pair keeps
// at most maxFollowers words, as in memory; a new one takes the place of
// the least seen.
//
// Redis bounds the rest: the chain grows with every new pair of words any
// client types, so the Redis must have a maxmemory and an allkeys eviction
// policy (allkeys-lru, say), which it then uses to forget the pairs least
// used. CheckBounded says whether it has.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
}

// DefaultRedisPrefix starts the keys of the chain's hashes.
const DefaultRedisPrefix = "kamgen:markov:"

// NewRedisStore returns a store that keeps the chain in client's Redis,
// under keys that start with prefix.
func NewRedisStore(client redis.UniversalClient, prefix string) *RedisStore {
	return &RedisStore{client: client, prefix: prefix}
}

func (r *RedisStore) key(a, b string) string { return r.prefix + a + " " + b }

// learn counts each word after its pair (KEYS[i] and ARGV[i+1]); a pair
// over ARGV[1] words forgets its least seen one. A script runs atomically:
// however many servers learn at once, a line is learnt whole, and no
// reader ever sees half of it.
var learn = redis.NewScript(`
local most = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, ARGV[i + 1], 1)
  if redis.call('HLEN', key) > most then
    local kv = redis.call('HGETALL', key)
    local least, fewest = nil, nil
    for j = 1, #kv, 2 do
      local n = tonumber(kv[j + 1])
      if kv[j] ~= ARGV[i + 1] and (fewest == nil or n < fewest) then
        least, fewest = kv[j], n
      end
    end
    redis.call('HDEL', key, least)
  end
end
return 0
`)

// Learn counts each word of the line after its pair.
func (r *RedisStore) Learn(ctx context.Context, words []string) error {
	steps := pairs(words)
	keys := make([]string, len(steps))
	args := make([]any, 1, len(steps)+1)
	args[0] = maxFollowers
	for i, s := range steps {
		keys[i] = r.key(s[0], s[1])
		args = append(args, s[2])
	}
	return learn.Run(ctx, r.client, keys, args...).Err()
}

// pick draws a word of the hash KEYS[1], weighted by its count, with the
// random number ARGV[1], in one round trip.
var pick = redis.NewScript(`
local kv = redis.call('HGETALL', KEYS[1])
if #kv == 0 then return false end
local total = 0
for i = 2, #kv, 2 do total = total + tonumber(kv[i]) end
local r = tonumber(ARGV[1]) % total
for i = 2, #kv, 2 do
  r = r - tonumber(kv[i])
  if r < 0 then return kv[i - 1] end
end
return kv[#kv - 1]
`)

// Next picks a word seen after (a, b).
func (r *RedisStore) Next(ctx context.Context, a, b string) (string, bool, error) {
	w, err := pick.Run(ctx, r.client, []string{r.key(a, b)}, rand.IntN(1<<30)).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return w, true, nil
}

// ErrUnbounded is what CheckBounded returns for a Redis that would keep
// the chain without bound.
var ErrUnbounded = errors.New("the chain would grow without bound in this Redis")

// CheckBounded checks that the Redis bounds the chain: a maxmemory, and an
// allkeys eviction policy that frees room by forgetting keys. A Redis that
// refuses CONFIG (a managed one, often) cannot be checked: that is logged,
// and not an error.
func (r *RedisStore) CheckBounded(ctx context.Context) error {
	conf, err := r.client.ConfigGet(ctx, "maxmemory*").Result()
	if err != nil {
		slog.Warn("cannot check that Redis bounds the chain: make sure it has a maxmemory and an allkeys eviction policy", "err", err)
		return nil
	}
	policy := conf["maxmemory-policy"]
	if conf["maxmemory"] == "0" || !strings.HasPrefix(policy, "allkeys-") {
		return fmt.Errorf("%w (maxmemory %s, maxmemory-policy %s): give it a limit and a policy that evicts, e.g. redis-cli CONFIG SET maxmemory 256mb and CONFIG SET maxmemory-policy allkeys-lru (or --maxmemory 256mb --maxmemory-policy allkeys-lru)",
			ErrUnbounded, conf["maxmemory"], policy)
	}
	return nil
}
