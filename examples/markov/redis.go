package main

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps the chain in Redis, so that every server pointed at one
// Redis shares one chain: what a client of one server types, the clients
// of the others may read back.
//
// Each pair of words is a Redis list, whose key is the store's prefix, then
// the two words with a space between them (words hold no white space; the
// start of a line is "\n"), and whose elements are the words seen after the
// pair, one element each time one was seen. So a word seen twice as often
// is picked twice as often.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
}

// DefaultRedisPrefix starts the keys of the chain's lists.
const DefaultRedisPrefix = "kamgen:markov:"

// NewRedisStore returns a store that keeps the chain in client's Redis,
// under keys that start with prefix.
func NewRedisStore(client redis.UniversalClient, prefix string) *RedisStore {
	return &RedisStore{client: client, prefix: prefix}
}

func (r *RedisStore) key(a, b string) string { return r.prefix + a + " " + b }

// Learn appends each word of the line to its pair's list (RPUSH), all in
// one MULTI/EXEC transaction: however many servers learn at once, a line is
// learnt whole, and no reader ever sees half of it.
func (r *RedisStore) Learn(ctx context.Context, words []string) error {
	_, err := r.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, s := range pairs(words) {
			p.RPush(ctx, r.key(s[0], s[1]), s[2])
		}
		return nil
	})
	return err
}

// pick is LINDEX at a random index below LLEN, in one round trip. Lists
// only grow, so the index is always valid; a script also runs atomically.
var pick = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
if n == 0 then return false end
return redis.call('LINDEX', KEYS[1], tonumber(ARGV[1]) % n)
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
