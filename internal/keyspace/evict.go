package keyspace

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// Policy is a maxmemory-policy.
type Policy int32

// The eight maxmemory policies.
const (
	NoEviction Policy = iota
	AllKeysLRU
	AllKeysLFU
	AllKeysRandom
	VolatileLRU
	VolatileLFU
	VolatileRandom
	VolatileTTL
)

var policyNames = [...]string{"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
	"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}

func (p Policy) String() string { return policyNames[p] }

// ParsePolicy maps a maxmemory-policy name to a Policy.
func ParsePolicy(s string) (Policy, bool) {
	for i, n := range policyNames {
		if n == s {
			return Policy(i), true
		}
	}
	return 0, false
}

func (p Policy) volatile() bool { return p >= VolatileLRU }
func (p Policy) lfu() bool      { return p == AllKeysLFU || p == VolatileLFU }

// ErrOOM is returned when a write cannot be admitted under maxmemory.
var ErrOOM = errors.New("OOM command not allowed when used memory > 'maxmemory'.")

type evictState struct {
	maxmemory atomic.Int64
	policy    atomic.Int32
	samples   atomic.Int32
	overhead  atomic.Int64 // non-dataset memory counted against maxmemory

	// pool keeps the best candidates seen across evictions, as Valkey's
	// eviction pool does, so that sampling a few keys per eviction still
	// approximates true LRU/LFU/TTL order. Lock order: slot → poolMu.
	poolMu sync.Mutex
	pool   []candidate // ascending score; the best is last
}

const evictionPoolSize = 16

// offer adds c to the pool if it beats the worst entry.
func (e *evictState) offer(c candidate) {
	e.poolMu.Lock()
	defer e.poolMu.Unlock()
	for _, x := range e.pool {
		if x.db == c.db && x.key == c.key {
			return
		}
	}
	if len(e.pool) == evictionPoolSize {
		if c.score <= e.pool[0].score {
			return
		}
		e.pool = e.pool[1:]
	}
	i := sort.Search(len(e.pool), func(i int) bool { return e.pool[i].score > c.score })
	e.pool = append(e.pool, candidate{})
	copy(e.pool[i+1:], e.pool[i:])
	e.pool[i] = c
}

// takeBest removes and returns the best pooled candidate.
func (e *evictState) takeBest() (candidate, bool) {
	e.poolMu.Lock()
	defer e.poolMu.Unlock()
	if len(e.pool) == 0 {
		return candidate{}, false
	}
	c := e.pool[len(e.pool)-1]
	e.pool = e.pool[:len(e.pool)-1]
	return c, true
}

// SetMaxmemory configures eviction.
func (ks *Keyspace) SetMaxmemory(limit int64, p Policy, samples int) {
	ks.evict.maxmemory.Store(limit)
	ks.evict.policy.Store(int32(p))
	if samples < 1 {
		samples = 5
	}
	ks.evict.samples.Store(int32(samples))
	ks.lfuMode.Store(p.lfu())
}

// SetOverhead records memory used outside the dataset (client buffers,
// runtime baseline) that also counts against maxmemory.
func (ks *Keyspace) SetOverhead(n int64) { ks.evict.overhead.Store(n) }

// UsedMemory is the figure compared against maxmemory and reported as
// used_memory.
func (ks *Keyspace) UsedMemory() int64 { return ks.mem.dataset.Load() + ks.evict.overhead.Load() }

// OverMaxmemory reports whether used memory exceeds a configured maxmemory.
func (ks *Keyspace) OverMaxmemory() bool {
	limit := ks.evict.maxmemory.Load()
	return limit > 0 && ks.UsedMemory() > limit
}

type candidate struct {
	db    *DB
	slot  int
	key   string
	score float64
}

// EvictIfNeeded frees memory until used memory is within maxmemory, as
// Valkey does before running a command flagged denyoom. It returns ErrOOM
// when the policy forbids eviction or nothing can be evicted. The caller
// must hold no slot locks.
func (ks *Keyspace) EvictIfNeeded() error {
	if ks.replica.Load() || !ks.OverMaxmemory() {
		return nil
	}
	p := Policy(ks.evict.policy.Load())
	if p == NoEviction {
		return ErrOOM
	}
	start := time.Now()
	defer func() { ks.stats.EvictionMicros.Add(time.Since(start).Microseconds()) }()
	for tries := 0; ks.OverMaxmemory(); tries++ {
		c, ok := ks.pickVictim(p)
		if !ok || tries > 1000 {
			return ErrOOM
		}
		ks.evictOne(c)
	}
	return nil
}

func (ks *Keyspace) evictOne(c candidate) {
	ks.locks[c.slot].Lock()
	defer ks.locks[c.slot].Unlock()
	t := c.db.slots[c.slot]
	if t == nil {
		return
	}
	e := t.keys.GetString(c.key)
	if e == nil {
		return
	}
	ks.removeLocked(c.db, t, c.slot, c.key, e)
	ks.stats.EvictedKeys.Add(1)
	kb := []byte(c.key)
	ks.propagate(c.db.index, c.slot, [][]byte{[]byte("DEL"), kb})
	ks.notify(c.db.index, NotifyEvicted, "evicted", kb)
}

// pickVictim samples maxmemory-samples keys from random slots of every
// database and returns the best candidate for the policy.
func (ks *Keyspace) pickVictim(p Policy) (candidate, bool) {
	samples := int(ks.evict.samples.Load())
	now := ks.now()
	var best candidate
	found := false
	ks.dbsMu.RLock()
	dbs := append([]*DB(nil), ks.dbs...)
	ks.dbsMu.RUnlock()
	for _, db := range dbs {
		if db.nkeys.Load() == 0 || (p.volatile() && db.nexpires.Load() == 0) {
			continue
		}
		sampled := false
		for attempt := 0; attempt < 16 && !sampled; attempt++ {
			s := db.randomNonEmptySlot()
			if s < 0 {
				break
			}
			sampled = ks.sampleSlot(db, s, p, now, samples, &best, &found) > 0
		}
		if !sampled && p.volatile() {
			// Volatile keys can be sparse among the slots: random probes
			// may all miss them, yet Valkey (sampling its expires dict)
			// always finds one. Walk the slots from a random point.
			start := rand.IntN(slot.Count)
			for i := 0; i < slot.Count; i++ {
				s := (start + i) & (slot.Count - 1)
				if db.slotKeys[s].Load() > 0 && ks.sampleSlot(db, s, p, now, samples, &best, &found) > 0 {
					break
				}
			}
		}
	}
	if p != AllKeysRandom && p != VolatileRandom {
		if c, ok := ks.evict.takeBest(); ok {
			return c, true
		}
	}
	return best, found
}

// sampleSlot scores up to n keys of one slot, keeping the best in *best.
func (ks *Keyspace) sampleSlot(db *DB, s int, p Policy, now int64, n int, best *candidate, found *bool) int {
	ks.locks[s].Lock()
	defer ks.locks[s].Unlock()
	t := db.slots[s]
	if t == nil {
		return 0
	}
	seen := 0
	consider := func(k string, e *Entry, at int64) {
		var score float64
		switch p {
		case AllKeysLRU, VolatileLRU:
			score = float64(ks.lruClock(now) - e.access)
		case AllKeysLFU, VolatileLFU:
			score = float64(255 - ks.lfuDecayed(e.access, now))
		case VolatileTTL:
			score = float64(math.MaxInt64 - at)
		default:
			score = rand.Float64()
		}
		c := candidate{db: db, slot: s, key: k, score: score}
		if !*found || score > best.score {
			*best = c
			*found = true
		}
		if p != AllKeysRandom && p != VolatileRandom {
			ks.evict.offer(c)
		}
		seen++
	}
	if p.volatile() {
		for k, at := range t.expires {
			if seen >= n {
				break
			}
			consider(k, t.keys.GetString(k), at)
		}
		return seen
	}
	// Start at a random place: the table's order is fixed, and sampling
	// the same first keys of a slot every time would skew the choice.
	for k, e := range t.keys.AllFrom(rand.Uint64()) {
		if seen >= n {
			break
		}
		consider(k, e, 0)
	}
	return seen
}

// LFU, as Valkey: the low 8 bits are a logarithmic access counter, the high
// 24 bits the last decrement time in minutes.
const lfuInitVal = 5

func (ks *Keyspace) lfuMinutes(now int64) uint32 { return uint32(now/60000) & 0xFFFFFF }

func (ks *Keyspace) lfuDecayed(word uint32, now int64) uint32 {
	counter := word & 0xFF
	if word == 0 {
		return lfuInitVal
	}
	last := word >> 8
	nowMin := ks.lfuMinutes(now)
	var elapsed uint32
	if nowMin >= last {
		elapsed = nowMin - last
	} else {
		elapsed = 0xFFFFFF - last + nowMin
	}
	decay := uint32(ks.lfuDecayTime.Load())
	if decay == 0 {
		return counter
	}
	periods := elapsed / decay
	if periods > counter {
		return 0
	}
	return counter - periods
}

func (ks *Keyspace) lfuTouch(word uint32, now int64) uint32 {
	counter := ks.lfuDecayed(word, now)
	if counter < 255 {
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		if rand.Float64() < 1.0/(base*float64(ks.lfuLogFactor.Load())+1) {
			counter++
		}
	}
	return ks.lfuMinutes(now)<<8 | counter
}

// AccessInfo returns OBJECT IDLETIME seconds and OBJECT FREQ for e.
func (ks *Keyspace) AccessInfo(e *Entry, now int64) (idleSeconds int64, freq int64) {
	if ks.lfuMode.Load() {
		return 0, int64(ks.lfuDecayed(e.access, now))
	}
	return int64(ks.lruClock(now) - e.access), 0
}

// LFUMode reports whether an LFU policy is active.
func (ks *Keyspace) LFUMode() bool { return ks.lfuMode.Load() }
