package types

// DUMP body of a hash (see dump.go):
//
//	count (uvarint) | count × (field (bytes) | value (bytes) | expiry (varint, -1 = none))
//
// Expiries are absolute unix milliseconds, so RESTORE keeps field TTLs
// wherever and whenever the payload is restored. Expired fields are dumped
// too: the restoring side reclaims them like any other.

// hashDumpMinEntry is the smallest encoded field: two empty strings and
// a one-byte expiry.
const hashDumpMinEntry = 3

// AppendDump implements Dumpable.
func (h *Hash) AppendDump(w *DumpWriter) {
	w.Uvarint(uint64(h.Len()))
	if h.lp != nil {
		var field []byte
		h.lp.Range(func(i int, v []byte) bool {
			if i%2 == 0 {
				field = v
				return true
			}
			w.Bytes(field)
			w.Bytes(v)
			w.Varint(NoExpiry)
			return true
		})
		return
	}
	h.d.Range(func(k string, v []byte) bool {
		w.String(k)
		w.Bytes(v)
		at := NoExpiry
		if h.ttl != nil {
			if t, ok := h.ttl.get(k); ok {
				at = t
			}
		}
		w.Varint(at)
		return true
	})
}

// decodeHashDump reads a hash body. The result uses the compact encoding
// when Valkey's default thresholds allow it and no field has a TTL (as
// Valkey's RDB loader picks the encoding from the content); duplicate
// fields, an empty hash and negative expiries other than -1 are format
// errors.
func decodeHashDump(r *DumpReader) (*Hash, error) {
	n := r.Count(hashDumpMinEntry)
	if r.Err() != nil {
		return nil, r.Err()
	}
	if n == 0 {
		return nil, ErrDumpFormat
	}
	type entry struct {
		f, v []byte
		at   int64
	}
	entries := make([]entry, 0, n)
	lim := DefaultLimits()
	compact := n <= lim.HashMaxListpackEntries
	for i := 0; i < n; i++ {
		e := entry{f: r.Bytes(), v: r.Bytes(), at: r.Varint()}
		if r.Err() != nil {
			return nil, r.Err()
		}
		if e.at < NoExpiry {
			return nil, ErrDumpFormat
		}
		if e.at != NoExpiry || len(e.f) > lim.HashMaxListpackValue || len(e.v) > lim.HashMaxListpackValue {
			compact = false
		}
		entries = append(entries, e)
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	h := NewHash()
	if !compact {
		h.toDict()
	}
	for _, e := range entries {
		if h.Exists(e.f, 0) {
			return nil, ErrDumpFormat
		}
		if h.lp != nil {
			h.lp.Append(e.f, e.v)
			continue
		}
		f := string(e.f)
		h.d.Set(f, e.v)
		h.mem += fieldCost(f, e.v)
		if e.at != NoExpiry {
			h.setTTL(f, e.at)
		}
	}
	return h, nil
}
