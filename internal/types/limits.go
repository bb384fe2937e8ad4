package types

// Limits are the encoding thresholds of Valkey's *-max-listpack-* and
// set-max-intset-entries settings. Collections take them on every growth
// so a CONFIG SET applies to the next write, as in Valkey.
type Limits struct {
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int // >0: entries per node; <0: -1..-5 = 4..64 KiB
	SetMaxIntsetEntries    int
	SetMaxListpackEntries  int
	SetMaxListpackValue    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
}

// DefaultLimits are Valkey's defaults.
func DefaultLimits() Limits {
	return Limits{
		HashMaxListpackEntries: 128, HashMaxListpackValue: 64,
		ListMaxListpackSize: -2,
		SetMaxIntsetEntries: 512, SetMaxListpackEntries: 128, SetMaxListpackValue: 64,
		ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64,
	}
}

// listpackBytesLimit converts list-max-listpack-size to (entries, bytes).
func (l Limits) listLimits() (entries, bytes int) {
	if l.ListMaxListpackSize > 0 {
		return l.ListMaxListpackSize, 1 << 30
	}
	sizes := [...]int{4096, 8192, 16384, 32768, 65536}
	i := -l.ListMaxListpackSize - 1
	if i < 0 || i >= len(sizes) {
		i = 1
	}
	return 1 << 30, sizes[i]
}

// dictEntryOverhead is the per-element cost of a Dict entry (the entry
// struct, rounded to its size class, and its share of the bucket array).
const dictEntryOverhead = 48 + 16
