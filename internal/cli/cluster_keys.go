package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// unownedKeys are keys a primary holds in a slot it does not own.
type unownedKeys struct {
	Node  string `json:"node"`
	Slot  int    `json:"slot"`
	DB    int    `json:"db"`
	Count int64  `json:"keys"`
	Owner string `json:"owner,omitempty"`
}

// slotOwner returns the primary that claims slot s in its own view.
func (m *manager) slotOwner(s int) *cnode {
	for _, n := range m.nodes {
		if n.primary() && n.Slots[s] {
			return n
		}
	}
	return nil
}

// dbCount is the number of databases of the cluster (read once).
func (m *manager) dbCount() int {
	for _, n := range m.nodes {
		if n.conn != nil {
			return databases(n.conn)
		}
	}
	return 1
}

// checkMigrations lists atomic slot migrations in progress. It returns,
// per node id, the slots whose keys are legitimately there without being
// owned: slots being imported, and slots a finished export is still
// deleting in the background.
func (m *manager) checkMigrations(rep *checkReport) map[string]*slotSet {
	skip := map[string]*slotSet{}
	now := time.Now().Unix()
	for _, n := range m.primaries() {
		entries, err := getSlotMigrations(n.conn)
		if err != nil {
			continue // a server without atomic slot migration
		}
		for _, e := range entries {
			export := strings.EqualFold(e.Operation, "EXPORT")
			draining := export && e.State == "success" && now-e.LastUpdate < 30
			if !e.terminal() || draining {
				if skip[n.ID] == nil {
					skip[n.ID] = &slotSet{}
				}
				skip[n.ID].addRanges(parseRangesField(e.SlotRanges))
			}
			if !e.terminal() && export {
				rep.Migrations = append(rep.Migrations, m.jobStatusOf(n, e))
			}
		}
	}
	for _, j := range rep.Migrations {
		m.out.warnf("[WARNING] Atomic slot migration in progress: %s slots %s from %s to %s (%s).",
			j.Name, j.SlotRanges, j.Source, j.Target, j.State)
	}
	return skip
}

// countUnowned counts, per database, the keys node n holds in slots it
// neither owns nor has open.
func (m *manager) countUnowned(n *cnode, skip *slotSet, dbs int) ([]unownedKeys, error) {
	var slots []int
	for s := 0; s < numSlots; s++ {
		if n.Slots[s] || n.Migrating[s] != "" || n.Importing[s] != "" || (skip != nil && skip[s]) {
			continue
		}
		slots = append(slots, s)
	}
	var out []unownedKeys
	defer n.conn.Select(0)
	for db := 0; db < dbs; db++ {
		if err := n.conn.Select(db); err != nil {
			return nil, err
		}
		for start := 0; start < len(slots); start += 4096 {
			chunk := slots[start:min(start+4096, len(slots))]
			cmds := make([][]string, len(chunk))
			for i, s := range chunk {
				cmds[i] = []string{"CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(s)}
			}
			replies, err := n.conn.Pipeline(cmds)
			if err != nil {
				return nil, err
			}
			for i, r := range replies {
				if r.IsError() {
					return nil, fmt.Errorf("COUNTKEYSINSLOT on %s: %s", n.addr, r.Str)
				}
				if r.Int > 0 {
					u := unownedKeys{Node: n.addr, Slot: chunk[i], DB: db, Count: r.Int}
					if o := m.slotOwner(chunk[i]); o != nil {
						u.Owner = o.addr
					}
					out = append(out, u)
				}
			}
		}
	}
	return out, nil
}

// checkUnownedKeys looks for keys left in slots their node does not own
// (an interrupted migration, a node that rejoined with old data).
func (m *manager) checkUnownedKeys(ctx context.Context, rep *checkReport, o checkOptions, skip map[string]*slotSet) error {
	m.out.info("Check for keys in slots their node does not own...")
	dbs := m.dbCount()
	found := false
	for _, n := range m.primaries() {
		if err := ctx.Err(); err != nil {
			return err
		}
		us, err := m.countUnowned(n, skip[n.ID], dbs)
		if err != nil {
			return err
		}
		if len(us) == 0 {
			continue
		}
		found = true
		rep.UnownedKeys = append(rep.UnownedKeys, us...)
		var total int64
		var set slotSet
		for _, u := range us {
			total += u.Count
			set[u.Slot] = true
		}
		m.problem(rep, "[WARNING] Node %s holds %d keys in %d slots it does not own: %s.", n.addr, total,
			set.count(), compactRangesString(set.ranges()))
		if o.fix {
			if err := m.fixUnownedKeys(ctx, n, &set, o.co); err != nil {
				return err
			}
			rep.Fixed["unowned_slots"] += set.count()
		}
	}
	if !found {
		m.out.ok("No keys in slots their node does not own.")
	}
	return nil
}

// checkMultipleOwners is valkey-cli's --cluster-search-multiple-owners:
// slots claimed, or holding keys, on more than one primary.
func (m *manager) checkMultipleOwners(ctx context.Context, rep *checkReport, o checkOptions) error {
	m.out.info("Check for multiple slot owners...")
	withKeys := map[int][]*cnode{}
	for _, u := range rep.UnownedKeys {
		for _, n := range m.nodes {
			if n.addr == u.Node && !slices.Contains(withKeys[u.Slot], n) {
				withKeys[u.Slot] = append(withKeys[u.Slot], n)
			}
		}
	}
	for s := 0; s < numSlots; s++ {
		var owners []*cnode
		for _, n := range m.primaries() {
			if n.Slots[s] || slices.Contains(withKeys[s], n) {
				owners = append(owners, n)
			}
		}
		if len(owners) < 2 {
			continue
		}
		rep.MultiOwners = append(rep.MultiOwners, s)
		var addrs []string
		for _, n := range owners {
			addrs = append(addrs, n.addr)
		}
		m.problem(rep, "[WARNING] Slot %d has %d owners: %s", s, len(owners), strings.Join(addrs, ", "))
		if o.fix {
			if err := m.fixMultipleOwners(ctx, s, owners, o.co); err != nil {
				return err
			}
			rep.Fixed["multiple_owners"]++
		}
	}
	if len(rep.MultiOwners) == 0 {
		m.out.ok("No multiple owners found.")
	}
	return nil
}
