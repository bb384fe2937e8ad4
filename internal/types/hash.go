package types

// Hash is a hash value: field/value pairs in a listpack while small, a
// Dict otherwise. Fields may carry absolute expiry times (Valkey 9 hash
// field expiration); a hash with volatile fields always uses the Dict
// encoding, as Valkey's does, and keeps its TTLs in a min-heap indexed by
// field (hash_ttl.go), so the earliest expiry is found in O(1) and
// reclaiming k expired fields costs O(k log n).
//
// A field is logically expired once now > its expiry (Valkey's
// timestampIsExpired). Expired fields stay stored until reclaimed
// (ReclaimExpired) — there is no lazy deletion of fields — but every read
// that is given the current time treats them as absent, and Len still
// counts them (HLEN does in Valkey).
type Hash struct {
	lp  *Listpack
	d   *Dict[[]byte]
	ttl *fieldTTLs // nil when no field has a TTL
	mem int64      // bytes used by d entries and ttl entries
}

// NoExpiry is the expiry of a field without a TTL.
const NoExpiry int64 = -1

// NewHash returns an empty hash in the compact encoding.
func NewHash() *Hash { return &Hash{lp: &Listpack{}} }

// Kind implements Object.
func (h *Hash) Kind() Kind { return KindHash }

// Encoding implements Object.
func (h *Hash) Encoding() string {
	if h.lp != nil {
		return "listpack"
	}
	return "hashtable"
}

// Len is the number of fields, including expired ones not yet reclaimed
// (HLEN may count them, as in Valkey).
func (h *Hash) Len() int {
	if h.lp != nil {
		return h.lp.Len() / 2
	}
	return h.d.Len()
}

// MemUsage implements Object.
func (h *Hash) MemUsage() int64 {
	if h.lp != nil {
		return 48 + h.lp.MemUsage()
	}
	return 48 + 32 + int64(len(h.d.buckets))*8 + h.mem
}

// Clone implements Object. Field TTLs are copied, expired fields too
// (the copy's owner reclaims them like the original's).
func (h *Hash) Clone() Object {
	c := &Hash{mem: h.mem}
	if h.lp != nil {
		c.lp = h.lp.Clone()
		return c
	}
	c.d = NewDict[[]byte](h.d.Len())
	h.d.Range(func(k string, v []byte) bool { c.d.Set(k, append([]byte(nil), v...)); return true })
	if h.ttl != nil {
		c.ttl = h.ttl.clone()
	}
	return c
}

func fieldCost(field string, value []byte) int64 {
	return dictEntryOverhead + AllocSize(len(field)) + AllocSize(len(value))
}

// toDict converts the listpack encoding to the Dict encoding. Valkey never
// converts back.
func (h *Hash) toDict() {
	if h.lp == nil {
		return
	}
	d := NewDict[[]byte](h.lp.Len() / 2)
	var field string
	h.lp.Range(func(i int, v []byte) bool {
		if i%2 == 0 {
			field = string(v)
		} else {
			val := append([]byte(nil), v...)
			d.Set(field, val)
			h.mem += fieldCost(field, val)
		}
		return true
	})
	h.lp, h.d = nil, d
}

// PrepareSet converts the hash before a write of the field/value pairs
// args, as Valkey's hashTypeTryConversion: to the Dict encoding when more
// pairs are written than hash-max-listpack-entries allows (even if they
// repeat fields) or any argument is longer than hash-max-listpack-value.
func (h *Hash) PrepareSet(args [][]byte, lim Limits) {
	if h.lp == nil {
		return
	}
	if len(args)/2 > lim.HashMaxListpackEntries {
		h.toDict()
		return
	}
	for _, a := range args {
		if len(a) > lim.HashMaxListpackValue {
			h.toDict()
			return
		}
	}
}

// expiredAt reports whether field has a TTL that has passed at now.
func (h *Hash) expiredAt(field string, now int64) bool {
	if h.ttl == nil {
		return false
	}
	at, ok := h.ttl.get(field)
	return ok && now > at
}

// Get returns the value of a live field. The slice aliases the hash.
func (h *Hash) Get(field []byte, now int64) ([]byte, bool) {
	if h.lp != nil {
		i := h.lp.Find(field, 2)
		if i < 0 {
			return nil, false
		}
		return h.lp.Get(i + 1), true
	}
	v, ok := h.d.Get(string(field))
	if !ok || h.expiredAt(string(field), now) {
		return nil, false
	}
	return v, true
}

// Stored reports whether field is stored, live or logically expired.
func (h *Hash) Stored(field []byte) bool {
	if h.lp != nil {
		return h.lp.Find(field, 2) >= 0
	}
	_, ok := h.d.Get(string(field))
	return ok
}

// Exists reports whether field is live.
func (h *Hash) Exists(field []byte, now int64) bool {
	_, ok := h.Get(field, now)
	return ok
}

// Set stores field=value, clearing the field's TTL unless keepTTL. It
// reports whether the field is new (an expired field counts as new).
func (h *Hash) Set(field, value []byte, keepTTL bool, now int64, lim Limits) bool {
	updated, _ := h.Put(field, value, NoExpiry, keepTTL, now, lim)
	return !updated
}

// Put stores field=value as Valkey's hashTypeSet: at is the field's new
// expiry (NoExpiry for none), and with keepTTL a live field keeps the one
// it has. It reports whether a live field was updated and whether a
// logically expired field was overwritten (which Valkey counts as an
// expiration: "hexpired", expired_fields). A future expiry converts the
// hash to the Dict encoding; an expiry that has already passed is the
// caller's business (Valkey deletes instead of setting).
func (h *Hash) Put(field, value []byte, at int64, keepTTL bool, now int64, lim Limits) (updated, expiredOverwritten bool) {
	if h.lp != nil {
		if at != NoExpiry || len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue {
			h.toDict()
		} else if i := h.lp.Find(field, 2); i >= 0 {
			h.lp.Replace(i+1, value)
			return true, false
		} else if h.lp.Len()/2+1 > lim.HashMaxListpackEntries {
			h.toDict()
		} else {
			h.lp.Append(field, value)
			return false, false
		}
	}
	f := string(field)
	val := append([]byte(nil), value...)
	if old, ok := h.d.Get(f); ok {
		expiredOverwritten = h.expiredAt(f, now)
		updated = !expiredOverwritten
		h.mem -= fieldCost(f, old)
	}
	h.d.Set(f, val)
	h.mem += fieldCost(f, val)
	switch {
	case keepTTL && updated:
		// A live field keeps its TTL.
	case at != NoExpiry:
		h.setTTL(f, at)
	default:
		h.clearTTL(f)
	}
	return updated, expiredOverwritten
}

// Delete removes a live field and reports whether it did. A logically
// expired field is left for the reclaimer, as Valkey's HDEL does.
func (h *Hash) Delete(field []byte, now int64) bool {
	if h.lp == nil && h.expiredAt(string(field), now) {
		return false
	}
	return h.DeleteAny(field)
}

// DeleteAny removes a field whether or not it is expired (HSETEX with a
// past time deletes even unreclaimed fields) and reports whether it was
// stored.
func (h *Hash) DeleteAny(field []byte) bool {
	if h.lp != nil {
		i := h.lp.Find(field, 2)
		if i < 0 {
			return false
		}
		h.lp.Delete(i, 2)
		return true
	}
	f := string(field)
	old, ok := h.d.Get(f)
	if !ok {
		return false
	}
	h.d.Delete(f)
	h.mem -= fieldCost(f, old)
	h.clearTTL(f)
	return true
}

// Range calls fn for every live field until it returns false. The slices
// alias the hash.
func (h *Hash) Range(now int64, fn func(field, value []byte) bool) {
	if h.lp != nil {
		var field []byte
		h.lp.Range(func(i int, v []byte) bool {
			if i%2 == 0 {
				field = v
				return true
			}
			return fn(field, v)
		})
		return
	}
	h.d.Range(func(k string, v []byte) bool {
		if h.expiredAt(k, now) {
			return true
		}
		return fn([]byte(k), v)
	})
}

// Scan is one HSCAN step: the compact encoding returns everything with
// cursor 0; the Dict walks its reverse-binary cursor, visiting buckets
// until count live fields were offered or 10*count buckets were visited
// (Valkey's bound on a sparse table).
func (h *Hash) Scan(cursor uint64, count int, now int64, fn func(field, value []byte)) uint64 {
	if h.lp != nil {
		h.Range(now, func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	seen := 0
	for buckets := 0; ; buckets++ {
		cursor = h.d.Scan(cursor, func(k string, v []byte) {
			if !h.expiredAt(k, now) {
				fn([]byte(k), v)
				seen++
			}
		})
		if cursor == 0 || seen >= count || buckets >= 10*count {
			return cursor
		}
	}
}

// Random returns a random live field and value, trying a bounded number
// of times when many fields are expired (Valkey gives up after 100 tries,
// so HRANDFIELD may answer fewer fields than exist).
func (h *Hash) Random(r func() uint64, now int64) ([]byte, []byte, bool) {
	if h.lp != nil {
		if h.lp.Len() == 0 {
			return nil, nil, false
		}
		i := int(r()%uint64(h.lp.Len()/2)) * 2
		return h.lp.Get(i), h.lp.Get(i + 1), true
	}
	for tries := 0; tries < 100; tries++ {
		k, v, ok := h.d.Random(r())
		if !ok {
			return nil, nil, false
		}
		if !h.expiredAt(k, now) {
			return []byte(k), v, true
		}
	}
	return nil, nil, false
}
