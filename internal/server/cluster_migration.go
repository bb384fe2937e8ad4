package server

import (
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/migration"
)

// startMigrations gives the command layer its atomic slot migration
// manager. The manager reads topology from the runner's routing snapshot
// and claims imported slots through the runner, like a CLUSTER command.
func (s *Server) startMigrations(cn *clusterNode) {
	m := migration.NewManager(migration.Env{
		KS:     s.ks,
		Config: s.cfg,
		Log:    s.log.With("component", "slot-migration"),
		Routes: cn.runner.Routes,
		ClaimSlots: func(slots []int) (epoch uint64, err error) {
			err = cn.runner.Do(func(now time.Time, st *cluster.State) (out cluster.Output, err error) {
				out, epoch, err = st.ClaimImportedSlots(now, slots)
				return out, err
			})
			return epoch, err
		},
		AdoptClaim: func(target string, epoch uint64, slots []int, published func()) error {
			return cn.runner.DoThen(func(now time.Time, st *cluster.State) (cluster.Output, error) {
				return st.AdoptImportClaim(now, cluster.ID(target), epoch, slots)
			}, published)
		},
	})
	s.node.Migrations = m
	m.Start()
}
