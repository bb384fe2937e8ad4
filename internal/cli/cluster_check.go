package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// checkReport is what check found, for --json and for the verbs that
// refuse to run on a broken cluster.
type checkReport struct {
	Consistent     bool           `json:"consistent"`
	Disagreeing    []string       `json:"disagreeing_nodes,omitempty"`
	OpenSlots      []int          `json:"open_slots,omitempty"`
	Covered        int            `json:"slots_covered"`
	Uncovered      string         `json:"uncovered_slots,omitempty"`
	EpochConflicts []string       `json:"epoch_collisions,omitempty"`
	UnownedKeys    []unownedKeys  `json:"keys_in_unowned_slots,omitempty"`
	MultiOwners    []int          `json:"slots_with_multiple_owners,omitempty"`
	Migrations     []jobStatus    `json:"migrations_in_progress,omitempty"`
	Problems       []string       `json:"problems,omitempty"`
	Nodes          []nodeSummary  `json:"nodes"`
	Fixed          map[string]int `json:"fixed,omitempty"`
}

func (r *checkReport) ok() bool { return len(r.Problems) == 0 }

// nodeSummary describes a node in JSON output.
type nodeSummary struct {
	ID        string   `json:"id"`
	Addr      string   `json:"addr"`
	Role      string   `json:"role"`
	Replicate string   `json:"replicate,omitempty"`
	Slots     string   `json:"slots"`
	NumSlots  int      `json:"slots_count"`
	Flags     []string `json:"flags"`
	Epoch     uint64   `json:"config_epoch"`
	Replicas  int      `json:"replicas"`
}

func (m *manager) summaries() []nodeSummary {
	out := make([]nodeSummary, 0, len(m.nodes))
	for _, n := range m.nodes {
		role := "primary"
		if !n.primary() {
			role = "replica"
		}
		out = append(out, nodeSummary{ID: n.ID, Addr: n.addr, Role: role, Replicate: n.Primary,
			Slots: compactRangesString(n.Slots.ranges()), NumSlots: n.Slots.count(), Flags: n.Flags,
			Epoch: n.Epoch, Replicas: n.replicas})
	}
	return out
}

// problem records an error check found and prints it.
func (m *manager) problem(rep *checkReport, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	rep.Problems = append(rep.Problems, msg)
	m.problems = append(m.problems, msg)
	m.out.errf("%s", msg)
}

// checkOptions select check's optional parts.
type checkOptions struct {
	quiet          bool // do not list the nodes
	fix            bool
	multipleOwners bool
	skipKeys       bool // skip the (slower) scan for keys in unowned slots
	co             *clusterOptions
}

// check is valkey-cli's clusterManagerCheckCluster, plus config epoch
// collisions, atomic migrations in progress and keys left in slots their
// node does not own. With fix it repairs what it can.
func (m *manager) check(ctx context.Context, o checkOptions) (*checkReport, error) {
	rep := &checkReport{Fixed: map[string]int{}}
	m.problems = nil
	m.out.info("Performing Cluster Check (using node %s)", m.nodes[0].addr)
	if !o.quiet {
		m.showNodes()
	}
	m.checkConsistency(rep)
	if err := m.checkOpenSlots(ctx, rep, o); err != nil {
		return rep, err
	}
	if err := m.checkCoverage(ctx, rep, o); err != nil {
		return rep, err
	}
	m.checkEpochs(rep)
	active := m.checkMigrations(rep)
	if !o.skipKeys {
		if err := m.checkUnownedKeys(ctx, rep, o, active); err != nil {
			return rep, err
		}
	}
	if o.multipleOwners {
		if err := m.checkMultipleOwners(ctx, rep, o); err != nil {
			return rep, err
		}
	}
	rep.Nodes = m.summaries()
	return rep, nil
}

// checkConsistency compares every node's view of slot ownership, and
// checks that every node knows every other (a node that does not know a
// migration target refuses the migration).
func (m *manager) checkConsistency(rep *checkReport) {
	sigs := map[string][]string{}
	var unknown []string
	for _, n := range m.nodes {
		if n.conn == nil {
			continue
		}
		text, err := n.conn.String("CLUSTER", "NODES")
		sig := "(unreadable)"
		if err == nil {
			if lines, err := parseClusterNodes(text); err == nil {
				sig = configSignature(lines)
				unknown = append(unknown, m.unknownTo(n, lines)...)
			}
		}
		sigs[sig] = append(sigs[sig], n.addr)
	}
	for _, u := range unknown {
		m.problem(rep, "[ERR] %s", u)
	}
	if len(sigs) <= 1 {
		rep.Consistent = true
		m.out.ok("All nodes agree about slots configuration.")
		return
	}
	// The largest group is taken as the cluster's view; the rest disagree.
	var majority string
	for sig, addrs := range sigs {
		if len(addrs) > len(sigs[majority]) || (len(addrs) == len(sigs[majority]) && sig < majority) {
			majority = sig
		}
	}
	for sig, addrs := range sigs {
		if sig != majority {
			rep.Disagreeing = append(rep.Disagreeing, addrs...)
		}
	}
	slices.Sort(rep.Disagreeing)
	m.problem(rep, "[ERR] Nodes don't agree about configuration!")
	m.out.errf("    Nodes whose view differs from the majority: %s", strings.Join(rep.Disagreeing, ", "))
}

// openSlots returns, per slot, the nodes that have it migrating or
// importing.
func (m *manager) openSlots() []int {
	set := map[int]bool{}
	for _, n := range m.nodes {
		for s := range n.Migrating {
			set[s] = true
		}
		for s := range n.Importing {
			set[s] = true
		}
	}
	out := make([]int, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func (m *manager) checkOpenSlots(ctx context.Context, rep *checkReport, o checkOptions) error {
	m.out.info("Check for open slots...")
	for _, n := range m.nodes {
		for _, kind := range []struct {
			name  string
			slots map[int]string
		}{{"migrating", n.Migrating}, {"importing", n.Importing}} {
			if len(kind.slots) == 0 {
				continue
			}
			var ss []string
			for _, s := range sortedKeys(kind.slots) {
				ss = append(ss, strconv.Itoa(s))
			}
			m.problem(rep, "[WARNING] Node %s has slots in %s state %s.", n.addr, kind.name, strings.Join(ss, ","))
		}
	}
	rep.OpenSlots = m.openSlots()
	if len(rep.OpenSlots) == 0 {
		return nil
	}
	var ss []string
	for _, s := range rep.OpenSlots {
		ss = append(ss, strconv.Itoa(s))
	}
	m.out.errf("[WARNING] The following slots are open: %s.", strings.Join(ss, ","))
	if !o.fix {
		return nil
	}
	for _, s := range rep.OpenSlots {
		if err := m.fixOpenSlot(ctx, s, o.co); err != nil {
			return err
		}
		rep.Fixed["open_slots"]++
	}
	return nil
}

func sortedKeys(mp map[int]string) []int {
	out := make([]int, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// covered returns the slots some node claims in its own view.
func (m *manager) covered() *slotSet {
	var all slotSet
	for _, n := range m.nodes {
		for s := 0; s < numSlots; s++ {
			if n.Slots[s] {
				all[s] = true
			}
		}
	}
	return &all
}

func (m *manager) checkCoverage(ctx context.Context, rep *checkReport, o checkOptions) error {
	m.out.info("Check slots coverage...")
	all := m.covered()
	rep.Covered = all.count()
	if rep.Covered == numSlots {
		m.out.ok("All %d slots covered.", numSlots)
		return nil
	}
	var missing slotSet
	for s := 0; s < numSlots; s++ {
		missing[s] = !all[s]
	}
	rep.Uncovered = compactRangesString(missing.ranges())
	m.problem(rep, "[ERR] Not all %d slots are covered by nodes.", numSlots)
	if !o.fix {
		return nil
	}
	fixed, err := m.fixCoverage(ctx, &missing, o.co)
	rep.Fixed["uncovered_slots"] += fixed
	return err
}

// checkEpochs reports primaries sharing a config epoch. Valkey resolves
// collisions by itself, so one that persists means a node is stuck.
func (m *manager) checkEpochs(rep *checkReport) {
	byEpoch := map[uint64][]*cnode{}
	for _, n := range m.nodes {
		if n.primary() && n.Slots.count() > 0 {
			byEpoch[n.Epoch] = append(byEpoch[n.Epoch], n)
		}
	}
	for _, e := range sortedEpochs(byEpoch) {
		ns := byEpoch[e]
		if len(ns) < 2 {
			continue
		}
		var addrs []string
		for _, n := range ns {
			addrs = append(addrs, n.addr)
		}
		msg := fmt.Sprintf("config epoch %d shared by %s", e, strings.Join(addrs, ", "))
		rep.EpochConflicts = append(rep.EpochConflicts, msg)
		m.problem(rep, "[ERR] Config epoch collision: %s.", msg)
	}
}

func sortedEpochs(mp map[uint64][]*cnode) []uint64 {
	out := make([]uint64, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// unknownTo lists the loaded nodes that node n does not know (or still
// handshakes with).
func (m *manager) unknownTo(n *cnode, lines []*nodeLine) []string {
	known := map[string]bool{}
	for _, l := range lines {
		if !l.hasFlag("handshake") {
			known[l.ID] = true
		}
	}
	var out []string
	for _, o := range m.nodes {
		if o != n && o.ID != "" && !known[o.ID] {
			out = append(out, fmt.Sprintf("Node %s does not know node %s (%s).", n.addr, o.addr, o.ID))
		}
	}
	return out
}
