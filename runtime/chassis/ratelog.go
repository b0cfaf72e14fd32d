package chassis

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// warnEvery is how often a warning about one connection among many is
// logged at most: a flood of resets or failing handlers makes one line a
// second, with how many like it were left out, not one line each.
const warnEvery = time.Second

// rateLog logs warnings of each message at most once per warnEvery. The
// ones left out in a period are counted, and said in one line at its end.
type rateLog struct {
	mu    sync.Mutex
	kinds map[string]*warnKind
}

// warnKind is the state of one message.
type warnKind struct {
	last    time.Time // when it was last logged
	left    int       // left out since
	level   slog.Level
	flusher *time.Timer // says how many were left out, at the end of the period
}

// warn logs msg with args through l at level, unless msg was logged less
// than warnEvery ago.
func (r *rateLog) warn(l *slog.Logger, level slog.Level, msg string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kinds == nil {
		r.kinds = map[string]*warnKind{}
	}
	k := r.kinds[msg]
	if k == nil {
		k = &warnKind{}
		r.kinds[msg] = k
	}
	now := time.Now()
	if wait := warnEvery - now.Sub(k.last); !k.last.IsZero() && wait > 0 {
		k.left++
		if k.flusher == nil {
			k.flusher = time.AfterFunc(wait, func() { r.flush(l, msg) })
			k.level = level
		}
		return
	}
	k.last = now
	l.Log(context.Background(), level, msg, args...)
}

// flush says how many warnings of msg were left out, if any.
func (r *rateLog) flush(l *slog.Logger, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.kinds[msg]
	if k == nil {
		return
	}
	k.flusher = nil
	if k.left > 0 {
		l.Log(context.Background(), k.level, msg+" (more of them, not logged one by one)", "count", k.left, "within", warnEvery)
		k.left = 0
		k.last = time.Now()
	}
}

// close says what was left out at once, and stops the timers.
func (r *rateLog) close(l *slog.Logger) {
	r.mu.Lock()
	var msgs []string
	for msg, k := range r.kinds {
		if k.flusher != nil && k.flusher.Stop() {
			k.flusher = nil
			msgs = append(msgs, msg)
		}
	}
	r.mu.Unlock()
	for _, msg := range msgs {
		r.flush(l, msg)
	}
}
