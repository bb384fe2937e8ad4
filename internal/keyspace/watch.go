package keyspace

import (
	"sync"
	"sync/atomic"
)

// Watcher is a client's WATCH state. Touch marks it dirty; it is called
// with slot locks held and must not block.
type Watcher interface {
	Touch()
}

type watchKey struct {
	db  int
	key string
}

// watchRegistry maps watched keys to the clients watching them, so that the
// write choke point can invalidate exactly those clients (as Valkey's
// touchWatchedKey), including for creating then deleting a watched key.
type watchRegistry struct {
	n  atomic.Int64 // number of watched keys: a lock-free fast path
	mu sync.Mutex
	m  map[watchKey]map[Watcher]struct{}
}

func (w *watchRegistry) init() { w.m = make(map[watchKey]map[Watcher]struct{}) }

// Watch registers w on (db, key).
func (ks *Keyspace) Watch(w Watcher, db int, key string) {
	r := &ks.watch
	r.mu.Lock()
	defer r.mu.Unlock()
	k := watchKey{db, key}
	set := r.m[k]
	if set == nil {
		set = make(map[Watcher]struct{})
		r.m[k] = set
		r.n.Add(1)
	}
	set[w] = struct{}{}
}

// Unwatch removes w from (db, key).
func (ks *Keyspace) Unwatch(w Watcher, db int, key string) {
	r := &ks.watch
	r.mu.Lock()
	defer r.mu.Unlock()
	k := watchKey{db, key}
	set := r.m[k]
	if set == nil {
		return
	}
	delete(set, w)
	if len(set) == 0 {
		delete(r.m, k)
		r.n.Add(-1)
	}
}

func (r *watchRegistry) touch(db int, key string) {
	if r.n.Load() == 0 {
		return
	}
	r.mu.Lock()
	for w := range r.m[watchKey{db, key}] {
		w.Touch()
	}
	r.mu.Unlock()
}

// touchDB marks dirty every watcher of a key of db that exists (FLUSHDB,
// FLUSHALL, SWAPDB). exists is called with the slot locks held.
func (r *watchRegistry) touchDB(db int, exists func(key string) bool) {
	if r.n.Load() == 0 {
		return
	}
	r.mu.Lock()
	for k, set := range r.m {
		if k.db == db && exists(k.key) {
			for w := range set {
				w.Touch()
			}
		}
	}
	r.mu.Unlock()
}
