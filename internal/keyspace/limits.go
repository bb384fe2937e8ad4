package keyspace

import "github.com/shoal-db/shoal/internal/types"

// SetLimits installs the collection encoding thresholds (the
// *-max-listpack-* settings); writes use them from the next command on.
func (ks *Keyspace) SetLimits(l types.Limits) { ks.limits.Store(&l) }

// Limits returns the current collection encoding thresholds.
func (ks *Keyspace) Limits() types.Limits {
	if l := ks.limits.Load(); l != nil {
		return *l
	}
	return types.DefaultLimits()
}
