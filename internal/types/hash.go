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
//
// Memory layout: a small hash is one 32-byte Hash with the listpack
// embedded (a slice header) plus the listpack's buffer; the Dict encoding
// and its TTL index hang off big, which is nil while the hash is compact.
// With a million small hashes, each pointer or counter moved out of the
// struct is a megabyte less.
type Hash struct {
	lp  Listpack   // the compact encoding, while big is nil
	big *hashTable // the Dict encoding
}

// hashTable is the Dict encoding of a hash.
type hashTable struct {
	d   Dict[[]byte]
	ttl *fieldTTLs // nil when no field has a TTL
	mem int64      // bytes used by d entries and ttl entries
}

// hashStructSize and hashTableSize are the allocations of a Hash and of
// its hashTable (size classes 32 and 64).
const (
	hashStructSize = 32
	hashTableSize  = 64
)

// NoExpiry is the expiry of a field without a TTL.
const NoExpiry int64 = -1

// NewHash returns an empty hash in the compact encoding.
func NewHash() *Hash { return &Hash{} }

// Kind implements Object.
func (h *Hash) Kind() Kind { return KindHash }

// Encoding implements Object.
func (h *Hash) Encoding() string {
	if h.big == nil {
		return "listpack"
	}
	return "hashtable"
}

// Len is the number of fields, including expired ones not yet reclaimed
// (HLEN may count them, as in Valkey).
func (h *Hash) Len() int {
	if h.big == nil {
		return h.lp.Len() / 2
	}
	return h.big.d.Len()
}

// MemUsage implements Object.
func (h *Hash) MemUsage() int64 {
	if h.big == nil {
		return hashStructSize + h.lp.bufMem()
	}
	return hashStructSize + hashTableSize + h.big.d.tableMem() + h.big.mem
}

// Clone implements Object. Field TTLs are copied, expired fields too
// (the copy's owner reclaims them like the original's).
func (h *Hash) Clone() Object {
	if h.big == nil {
		return &Hash{lp: h.lp.clone()}
	}
	c := &Hash{big: &hashTable{d: *NewDict[[]byte](h.big.d.Len()), mem: h.big.mem}}
	h.big.d.Range(func(k string, v []byte) bool { c.big.d.Set(k, append([]byte(nil), v...)); return true })
	if h.big.ttl != nil {
		c.big.ttl = h.big.ttl.clone()
	}
	return c
}

func fieldCost(field string, value []byte) int64 {
	return dictHashEntrySize + AllocSize(len(field)) + AllocSize(len(value))
}

// toDict converts the listpack encoding to the Dict encoding. Valkey never
// converts back.
func (h *Hash) toDict() {
	if h.big != nil {
		return
	}
	t := &hashTable{d: *NewDict[[]byte](h.lp.Len() / 2)}
	var field string
	h.lp.Range(func(i int, v []byte) bool {
		if i%2 == 0 {
			field = string(v)
		} else {
			val := append([]byte(nil), v...)
			t.d.Set(field, val)
			t.mem += fieldCost(field, val)
		}
		return true
	})
	h.lp, h.big = Listpack{}, t
}

// PrepareSet converts the hash before a write of the field/value pairs
// args, as Valkey's hashTypeTryConversion: to the Dict encoding when more
// pairs are written than hash-max-listpack-entries allows (even if they
// repeat fields) or any argument is longer than hash-max-listpack-value.
func (h *Hash) PrepareSet(args [][]byte, lim Limits) {
	if h.big != nil {
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
	if h.lp.Len() == 0 {
		// A new hash: one allocation of the right size for all the pairs.
		h.lp.Reserve(args...)
	}
}

// lpValueAt returns the byte offset of field's value in the compact
// encoding, or -1.
func (h *Hash) lpValueAt(field []byte) int {
	i, off := h.lp.find(field, 2)
	if i < 0 {
		return -1
	}
	_, voff := h.lp.next(off)
	return voff
}

// expiredAt reports whether field has a TTL that has passed at now.
func (h *Hash) expiredAt(field string, now int64) bool {
	if h.big == nil || h.big.ttl == nil {
		return false
	}
	at, ok := h.big.ttl.get(field)
	return ok && now > at
}

// Get returns the value of a live field. The slice aliases the hash.
func (h *Hash) Get(field []byte, now int64) ([]byte, bool) {
	if h.big == nil {
		off := h.lpValueAt(field)
		if off < 0 {
			return nil, false
		}
		v, _ := h.lp.next(off)
		return v, true
	}
	e := h.big.d.findBytes(field)
	if e == nil || h.expiredAt(e.key, now) {
		return nil, false
	}
	return e.val, true
}

// Stored reports whether field is stored, live or logically expired.
func (h *Hash) Stored(field []byte) bool {
	if h.big == nil {
		return h.lp.Find(field, 2) >= 0
	}
	_, ok := h.big.d.Get(string(field))
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
	if h.big == nil {
		if at != NoExpiry || len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue {
			h.toDict()
		} else if off := h.lpValueAt(field); off >= 0 {
			h.lp.replaceAt(off, value)
			return true, false
		} else if h.lp.Len()/2+1 > lim.HashMaxListpackEntries {
			h.toDict()
		} else {
			h.lp.Append(field, value)
			return false, false
		}
	}
	val := append([]byte(nil), value...)
	var f string
	if e := h.big.d.findBytes(field); e != nil {
		// An existing field keeps its key string; only the value changes.
		f = e.key
		expiredOverwritten = h.expiredAt(f, now)
		updated = !expiredOverwritten
		h.big.mem += AllocSize(len(val)) - AllocSize(len(e.val))
		e.val = val
	} else {
		f = string(field)
		h.big.d.add(f, val)
		h.big.mem += fieldCost(f, val)
	}
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
	if h.big != nil && h.expiredAt(string(field), now) {
		return false
	}
	return h.DeleteAny(field)
}

// DeleteAny removes a field whether or not it is expired (HSETEX with a
// past time deletes even unreclaimed fields) and reports whether it was
// stored.
func (h *Hash) DeleteAny(field []byte) bool {
	if h.big == nil {
		i := h.lp.Find(field, 2)
		if i < 0 {
			return false
		}
		h.lp.Delete(i, 2)
		return true
	}
	f := string(field)
	old, ok := h.big.d.Get(f)
	if !ok {
		return false
	}
	h.big.d.Delete(f)
	h.big.mem -= fieldCost(f, old)
	h.clearTTL(f)
	return true
}

// Range calls fn for every live field until it returns false. The slices
// alias the hash.
func (h *Hash) Range(now int64, fn func(field, value []byte) bool) {
	if h.big == nil {
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
	h.big.d.Range(func(k string, v []byte) bool {
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
	if h.big == nil {
		h.Range(now, func(f, v []byte) bool { fn(f, v); return true })
		return 0
	}
	seen := 0
	for buckets := 0; ; buckets++ {
		cursor = h.big.d.Scan(cursor, func(k string, v []byte) {
			if !h.expiredAt(k, now) {
				// A view of the field, not a copy: callers only read
				// it (a full sync's walker would otherwise allocate per
				// field of every big hash it sends).
				fn(strBytes(k), v)
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
	if h.big == nil {
		if h.lp.Len() == 0 {
			return nil, nil, false
		}
		i := int(r()%uint64(h.lp.Len()/2)) * 2
		return h.lp.Get(i), h.lp.Get(i + 1), true
	}
	for tries := 0; tries < 100; tries++ {
		k, v, ok := h.big.d.Random(r())
		if !ok {
			return nil, nil, false
		}
		if !h.expiredAt(k, now) {
			return []byte(k), v, true
		}
	}
	return nil, nil, false
}
