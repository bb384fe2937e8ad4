package types

// Field expiration. TTLs are absolute Unix times in milliseconds. A hash's
// TTLs live in fieldTTLs, a binary min-heap of (expiry, field) with an
// index from field to heap position: the active reclaimer pops expired
// fields from the top without looking at the others, which is what
// Valkey's per-hash "volatile set" of time buckets achieves.

// ttlEntryCost is what one volatile field adds: its map entry (string
// header and int at the map's average load) and its heap slot.
const ttlEntryCost = 48 + 24

type ttlItem struct {
	field string
	at    int64
}

type fieldTTLs struct {
	pos  map[string]int
	heap []ttlItem
}

func newFieldTTLs() *fieldTTLs { return &fieldTTLs{pos: make(map[string]int)} }

func (t *fieldTTLs) len() int { return len(t.heap) }

func (t *fieldTTLs) get(field string) (int64, bool) {
	i, ok := t.pos[field]
	if !ok {
		return 0, false
	}
	return t.heap[i].at, true
}

// set stores field's expiry and reports whether the field is new.
func (t *fieldTTLs) set(field string, at int64) bool {
	if i, ok := t.pos[field]; ok {
		old := t.heap[i].at
		t.heap[i].at = at
		if at < old {
			t.up(i)
		} else {
			t.down(i)
		}
		return false
	}
	t.heap = append(t.heap, ttlItem{field: field, at: at})
	t.pos[field] = len(t.heap) - 1
	t.up(len(t.heap) - 1)
	return true
}

// remove drops field's expiry and reports whether it had one.
func (t *fieldTTLs) remove(field string) bool {
	i, ok := t.pos[field]
	if !ok {
		return false
	}
	last := len(t.heap) - 1
	t.swap(i, last)
	t.heap = t.heap[:last]
	delete(t.pos, field)
	if i < last {
		t.down(i)
		t.up(i)
	}
	return true
}

func (t *fieldTTLs) min() (ttlItem, bool) {
	if len(t.heap) == 0 {
		return ttlItem{}, false
	}
	return t.heap[0], true
}

func (t *fieldTTLs) clone() *fieldTTLs {
	c := &fieldTTLs{pos: make(map[string]int, len(t.pos)), heap: append([]ttlItem(nil), t.heap...)}
	for k, v := range t.pos {
		c.pos[k] = v
	}
	return c
}

func (t *fieldTTLs) swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.pos[t.heap[i].field] = i
	t.pos[t.heap[j].field] = j
}

func (t *fieldTTLs) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if t.heap[p].at <= t.heap[i].at {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *fieldTTLs) down(i int) {
	n := len(t.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && t.heap[r].at < t.heap[l].at {
			m = r
		}
		if t.heap[i].at <= t.heap[m].at {
			return
		}
		t.swap(i, m)
		i = m
	}
}

// FieldTTL returns a live field's expiry, NoExpiry when it has none; ok is
// false when the field is missing or expired.
func (h *Hash) FieldTTL(field []byte, now int64) (at int64, ok bool) {
	if !h.Exists(field, now) {
		return 0, false
	}
	if h.ttl == nil {
		return NoExpiry, true
	}
	if at, has := h.ttl.get(string(field)); has {
		return at, true
	}
	return NoExpiry, true
}

// SetFieldTTL sets a live field's expiry; it converts the hash to the
// Dict encoding. It reports false when the field is missing or expired.
func (h *Hash) SetFieldTTL(field []byte, at int64, now int64) bool {
	if !h.Exists(field, now) {
		return false
	}
	h.toDict()
	h.setTTL(string(field), at)
	return true
}

// PersistField removes a live field's TTL. exists is false for a missing
// or expired field; removed reports whether there was a TTL.
func (h *Hash) PersistField(field []byte, now int64) (exists, removed bool) {
	if !h.Exists(field, now) {
		return false, false
	}
	return true, h.clearTTL(string(field))
}

func (h *Hash) setTTL(field string, at int64) {
	if h.ttl == nil {
		h.ttl = newFieldTTLs()
	}
	if h.ttl.set(field, at) {
		h.mem += ttlEntryCost
	}
}

func (h *Hash) clearTTL(field string) bool {
	if h.ttl == nil || !h.ttl.remove(field) {
		return false
	}
	h.mem -= ttlEntryCost
	if h.ttl.len() == 0 {
		h.ttl = nil
	}
	return true
}

// VolatileFields is the number of fields with a TTL (expired or not).
func (h *Hash) VolatileFields() int {
	if h.ttl == nil {
		return 0
	}
	return h.ttl.len()
}

// MinFieldTTL returns the earliest field expiry, or NoExpiry with no TTLs.
func (h *Hash) MinFieldTTL() int64 {
	if h.ttl == nil {
		return NoExpiry
	}
	it, _ := h.ttl.min()
	return it.at
}

// ReclaimExpired deletes up to max fields that are expired at now, the
// earliest first, and returns their names, for the active field-expiry job
// (which propagates HDEL and notifies "hexpired").
func (h *Hash) ReclaimExpired(now int64, max int) [][]byte {
	var out [][]byte
	for h.ttl != nil && len(out) < max {
		it, _ := h.ttl.min()
		if now <= it.at {
			break
		}
		h.DeleteAny([]byte(it.field))
		out = append(out, []byte(it.field))
	}
	return out
}
