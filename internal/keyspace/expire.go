package keyspace

import (
	"math"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// ActiveExpireCycle reclaims expired keys in the background, as Valkey's
// activeExpireCycle: it samples volatile keys slot by slot, repeats on a
// slot while many of its sampled keys were expired, and stops when the CPU
// budget of this cycle is spent. effort is active-expire-effort (1..10).
// The same budget covers the reclamation of expired hash fields
// (fieldexpire.go). It returns the number of keys reclaimed. The caller
// holds no locks.
func (ks *Keyspace) ActiveExpireCycle(budget time.Duration, effort int) int {
	if ks.replica.Load() {
		return 0 // the primary's DELs expire a replica's keys
	}
	if effort < 1 {
		effort = 1
	}
	if effort > 10 {
		effort = 10
	}
	start := time.Now()
	deadline := start.Add(budget)
	// Keys and hash fields share the budget. As in Valkey, the job that
	// goes first alternates between cycles so that neither starves.
	fieldsFirst := ks.fieldJob.fieldsFirst.Load()
	ks.fieldJob.fieldsFirst.Store(!fieldsFirst)
	if fieldsFirst {
		ks.activeExpireFields(deadline, effort)
	}
	reclaimed := ks.activeExpireKeys(deadline, effort)
	if !fieldsFirst && time.Now().Before(deadline) {
		ks.activeExpireFields(deadline, effort)
	}
	ks.stats.ExpireCycleCPUMicros.Add(time.Since(start).Microseconds())
	return reclaimed
}

// activeExpireKeys is the key job of ActiveExpireCycle.
func (ks *Keyspace) activeExpireKeys(deadline time.Time, effort int) int {
	keysPerLoop := 20 + 20/4*(effort-1)
	acceptableStale := 10 - (effort - 1) // percent
	reclaimed, sampled, expired := 0, 0, 0
	timedOut := false
	for i := 0; i < ks.NumDBs() && !timedOut; i++ {
		db := ks.DB(i)
		if db == nil || db.nexpires.Load() == 0 {
			continue
		}
		for visited := 0; visited < slot.Count; visited++ {
			s := db.expireCursor
			db.expireCursor = (db.expireCursor + 1) & (slot.Count - 1)
			if db.slotKeys[s].Load() == 0 {
				continue
			}
			for {
				n, x := ks.expireSlot(db, s, keysPerLoop)
				sampled += n
				expired += x
				reclaimed += x
				if n == 0 || x*100/n <= acceptableStale {
					break
				}
				if time.Now().After(deadline) {
					break
				}
			}
			if visited&15 == 15 && time.Now().After(deadline) {
				timedOut = true
				ks.stats.ExpiredTimeCapReached.Add(1)
				break
			}
		}
	}
	if sampled > 0 {
		perc := float64(expired) / float64(sampled)
		old := math.Float64frombits(ks.stats.ExpiredStalePerc.Load())
		ks.stats.ExpiredStalePerc.Store(math.Float64bits(old*0.95 + perc*0.05))
	}
	return reclaimed
}

// expireSlot samples up to n volatile keys of one slot and reclaims the
// expired ones. It returns how many were sampled and reclaimed.
func (ks *Keyspace) expireSlot(db *DB, s, n int) (sampled, expired int) {
	ks.locks[s].Lock()
	defer ks.locks[s].Unlock()
	t := db.slots[s]
	if t == nil || len(t.expires) == 0 {
		return 0, 0
	}
	now := ks.now()
	var victims []string
	for k, at := range t.expires {
		if sampled >= n {
			break
		}
		sampled++
		if at < now {
			victims = append(victims, k)
		}
	}
	for _, k := range victims {
		ks.expireKeyLocked(db, t, s, k)
	}
	return sampled, len(victims)
}
