package types

// Hash is a hash value: field/value pairs in a listpack while small, a
// Dict otherwise. Fields may carry absolute expiry times (Valkey 9 hash
// field expiration); a hash with volatile fields always uses the Dict
// encoding, as Valkey's does, and keeps its TTLs in a second Dict.
//
// Expired fields stay stored until reclaimed (ReclaimExpired) — there is no
// lazy deletion of fields — but every read that is given the current time
// treats them as absent.
type Hash struct {
	lp  *Listpack
	d   *Dict[[]byte]
	ttl *Dict[int64]
	mem int64 // bytes used by d and ttl entries
}

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

// Clone implements Object.
func (h *Hash) Clone() Object {
	c := &Hash{mem: h.mem}
	if h.lp != nil {
		c.lp = h.lp.Clone()
		return c
	}
	c.d = NewDict[[]byte](h.d.Len())
	h.d.Range(func(k string, v []byte) bool { c.d.Set(k, append([]byte(nil), v...)); return true })
	if h.ttl != nil {
		c.ttl = NewDict[int64](h.ttl.Len())
		h.ttl.Range(func(k string, at int64) bool { c.ttl.Set(k, at); return true })
	}
	return c
}

func fieldCost(field string, value []byte) int64 {
	return dictEntryOverhead + AllocSize(len(field)) + AllocSize(len(value))
}

// toDict converts the listpack encoding to the Dict encoding.
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

func (h *Hash) expired(field string, now int64) bool {
	if h.ttl == nil {
		return false
	}
	at, ok := h.ttl.Get(field)
	return ok && at <= now
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
	if !ok || h.expired(string(field), now) {
		return nil, false
	}
	return v, true
}

// Set stores field=value, clearing the field's TTL unless keepTTL. It
// reports whether the field is new (an expired field counts as new).
func (h *Hash) Set(field, value []byte, keepTTL bool, now int64, lim Limits) bool {
	if h.lp != nil {
		if len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue {
			h.toDict()
		} else if i := h.lp.Find(field, 2); i >= 0 {
			h.lp.Replace(i+1, value)
			return false
		} else if h.lp.Len()/2+1 > lim.HashMaxListpackEntries {
			h.toDict()
		} else {
			h.lp.Append(field, value)
			return true
		}
	}
	f := string(field)
	val := append([]byte(nil), value...)
	isNew := true
	if old, ok := h.d.Get(f); ok {
		isNew = h.expired(f, now)
		h.mem -= fieldCost(f, old)
		if isNew {
			keepTTL = false
		}
	}
	h.d.Set(f, val)
	h.mem += fieldCost(f, val)
	if !keepTTL {
		h.clearTTL(f)
	}
	return isNew
}

// Delete removes a field (live or expired) and reports whether it existed
// and was live.
func (h *Hash) Delete(field []byte, now int64) bool {
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
	live := !h.expired(f, now)
	h.d.Delete(f)
	h.mem -= fieldCost(f, old)
	h.clearTTL(f)
	return live
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
		if h.expired(k, now) {
			return true
		}
		return fn([]byte(k), v)
	})
}

// Scan is one HSCAN step: the compact encoding returns everything with
// cursor 0; the Dict walks its reverse-binary cursor.
func (h *Hash) Scan(cursor uint64, count int, now int64, fn func(field, value []byte)) uint64 {
	if h.lp != nil {
		h.Range(now, func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	seen := 0
	for {
		cursor = h.d.Scan(cursor, func(k string, v []byte) {
			if !h.expired(k, now) {
				fn([]byte(k), v)
				seen++
			}
		})
		if cursor == 0 || seen >= count {
			return cursor
		}
	}
}

// Random returns a random live field and value, trying a bounded number
// of times when many fields are expired.
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
		if !h.expired(k, now) {
			return []byte(k), v, true
		}
	}
	return nil, nil, false
}
