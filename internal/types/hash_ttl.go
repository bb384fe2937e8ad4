package types

// Field expiration. TTLs are absolute Unix times in milliseconds.

// FieldTTL returns a live field's expiry, -1 when it has none; ok is false
// when the field is missing or expired.
func (h *Hash) FieldTTL(field []byte, now int64) (at int64, ok bool) {
	if _, live := h.Get(field, now); !live {
		return 0, false
	}
	if h.ttl == nil {
		return -1, true
	}
	if at, has := h.ttl.Get(string(field)); has {
		return at, true
	}
	return -1, true
}

// SetFieldTTL sets a live field's expiry; it converts the hash to the
// Dict encoding. It reports false when the field is missing.
func (h *Hash) SetFieldTTL(field []byte, at int64, now int64) bool {
	if _, live := h.Get(field, now); !live {
		return false
	}
	h.toDict()
	if h.ttl == nil {
		h.ttl = NewDict[int64](1)
	}
	if h.ttl.Set(string(field), at) {
		h.mem += dictEntryOverhead
	}
	return true
}

// PersistField removes a field's TTL and reports whether it had one.
func (h *Hash) PersistField(field []byte) bool { return h.clearTTL(string(field)) }

func (h *Hash) clearTTL(field string) bool {
	if h.ttl == nil || !h.ttl.Delete(field) {
		return false
	}
	h.mem -= dictEntryOverhead
	if h.ttl.Len() == 0 {
		h.ttl = nil
	}
	return true
}

// VolatileFields is the number of fields with a TTL (expired or not).
func (h *Hash) VolatileFields() int {
	if h.ttl == nil {
		return 0
	}
	return h.ttl.Len()
}

// MinFieldTTL returns the earliest field expiry, or -1 with no TTLs. It is
// O(volatile fields); the reclaimer calls it only on hashes it visits.
func (h *Hash) MinFieldTTL() int64 {
	if h.ttl == nil {
		return -1
	}
	min := int64(-1)
	h.ttl.Range(func(_ string, at int64) bool {
		if min < 0 || at < min {
			min = at
		}
		return true
	})
	return min
}

// ReclaimExpired deletes up to max expired fields and returns their names,
// for the active field-expiry job (which propagates HDEL and notifies
// "hexpired").
func (h *Hash) ReclaimExpired(now int64, max int) [][]byte {
	if h.ttl == nil {
		return nil
	}
	var due []string
	h.ttl.Range(func(k string, at int64) bool {
		if at <= now {
			due = append(due, k)
		}
		return len(due) < max
	})
	out := make([][]byte, 0, len(due))
	for _, k := range due {
		if old, ok := h.d.Get(k); ok {
			h.d.Delete(k)
			h.mem -= fieldCost(k, old)
		}
		h.clearTTL(k)
		out = append(out, []byte(k))
	}
	return out
}
