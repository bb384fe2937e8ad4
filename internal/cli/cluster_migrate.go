package cli

import (
	"context"
	"fmt"
	"time"
)

// settle waits (boundedly) for every node to agree about the new slot
// owners after slots moved, so a check right after sees a clean cluster.
func (m *manager) settle(ctx context.Context) error {
	if !m.waitAgreement(ctx, 30*time.Second) || !m.waitState(ctx, 30*time.Second) {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.out.warnf("[WARNING] The nodes do not agree about the slot configuration yet, or the cluster is not " +
			"serving; run shoal-cli cluster check.")
	}
	m.out.ok("Slots moved.")
	m.out.event("result", map[string]any{"ok": true, "moved": true})
	return nil
}

// clusterMigrate moves explicit slot ranges between two nodes: one job.
func (a *app) clusterMigrate(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	if co.from == "" || co.to == "" || co.migrateSlots == "" {
		return usagef("cluster migrate needs --from, --to and --slots")
	}
	ranges, err := parseSlotRanges(co.migrateSlots)
	if err != nil {
		return usagef("--slots: %v", err)
	}
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	src, dst := m.nodeByPrefix(co.from), m.nodeByPrefix(co.to)
	switch {
	case src == nil || !src.primary():
		return fmt.Errorf("*** The source node (%s) is not known or not a primary", co.from)
	case dst == nil || !dst.primary():
		return fmt.Errorf("*** The target node (%s) is not known or not a primary", co.to)
	case src == dst:
		return fmt.Errorf("*** The source and target are the same node")
	}
	var notOwned slotSet
	for _, r := range ranges {
		for s := r.Start; s <= r.End; s++ {
			notOwned[s] = !src.Slots[s]
		}
	}
	if notOwned.count() > 0 {
		return fmt.Errorf("[ERR] %s does not own slots %s", src.addr, compactRangesString(notOwned.ranges()))
	}
	job := moveJob{src: src, dst: dst, ranges: ranges}
	m.out.event("plan", map[string]any{"jobs": jobsJSON([]moveJob{job})})
	if err := m.runJobs(ctx, []moveJob{job}, co.moveOptions()); err != nil {
		return err
	}
	return m.settle(ctx)
}

// waitAgreement polls until the nodes agree about slot ownership or d
// passes; it reports whether they agree.
func (m *manager) waitAgreement(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !m.consistent() {
		if time.Now().After(deadline) || sleepCtx(ctx, 100*time.Millisecond) != nil {
			return false
		}
	}
	return true
}

// waitState polls until every node reports cluster_state:ok (a node that
// just received its first slots may wait a moment before serving them).
func (m *manager) waitState(ctx context.Context, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		ok := true
		for _, n := range m.nodes {
			if n.conn == nil {
				continue
			}
			info, err := n.conn.String("CLUSTER", "INFO")
			if err != nil || infoField(info, "cluster_state") != "ok" {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
		if time.Now().After(deadline) || sleepCtx(ctx, 100*time.Millisecond) != nil {
			return false
		}
	}
}
