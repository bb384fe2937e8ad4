package server

import (
	"runtime/metrics"
	"time"

	"github.com/shoal-db/shoal/internal/command"
)

// cron runs the periodic work Valkey's serverCron does, hz times a second:
// the active expiry cycle (a share of each tick bounded by
// active-expire-effort), idle-client timeouts and the non-dataset memory
// figure counted against maxmemory.
func (s *Server) cron() {
	defer s.wg.Done()
	tick := time.NewTicker(s.cronInterval())
	defer tick.Stop()
	var n int
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		n++
		interval := s.cronInterval()
		tick.Reset(interval)
		effort := s.settings.expireEffort.Load()
		// Valkey spends at most 25% (+2% per effort step) of each tick.
		budget := interval * time.Duration(25+2*(effort-1)) / 100
		if s.node.ActiveExpireEnabled() {
			s.ks.ActiveExpireCycle(budget, int(effort))
		}
		s.node.SampleStats()
		if s.gc != nil {
			s.gc.tick()
		}
		if n%int(s.settings.hz.Load()+1) == 0 {
			s.closeIdleClients()
		}
	}
}

func (s *Server) cronInterval() time.Duration {
	hz := s.settings.hz.Load()
	if hz < 1 {
		hz = 1
	}
	return time.Second / time.Duration(hz)
}

// closeIdleClients enforces the timeout directive. Subscribers and
// monitors are exempt, as in Valkey.
func (s *Server) closeIdleClients() {
	limit := s.settings.timeoutSec.Load()
	if limit <= 0 {
		return
	}
	now := time.Now()
	for _, c := range s.node.Clients.All() {
		if c.Flag(command.ClientPubSub) || c.Flag(command.ClientMonitor) {
			continue
		}
		if now.Sub(c.LastInteraction()) > time.Duration(limit)*time.Second {
			c.Conn.Close()
		}
	}
}

// baselineMemory is what the process holds before any data: counted
// against maxmemory as Valkey counts its own start-up footprint. It is
// measured once; measuring the live heap continuously would count garbage
// awaiting collection and make eviction erratic.
func baselineMemory() int64 {
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(samples)
	return int64(samples[0].Value.Uint64()) - int64(samples[1].Value.Uint64())
}
