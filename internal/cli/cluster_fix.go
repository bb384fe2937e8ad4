package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// slotKeys counts the keys node n holds in slot s, over every database.
func (m *manager) slotKeys(n *cnode, s int) (int64, error) {
	return countKeys(n.conn, []slotRange{{s, s}}, m.dbCount())
}

// nodeWithMostKeys returns the primary among nodes with the most keys in
// slot s (the first one when none has keys).
func (m *manager) nodeWithMostKeys(nodes []*cnode, s int) (*cnode, error) {
	var best *cnode
	var most int64 = -1
	for _, n := range nodes {
		if !n.primary() || n.conn == nil {
			continue
		}
		k, err := m.slotKeys(n, s)
		if err != nil {
			return nil, err
		}
		if k > most {
			best, most = n, k
		}
	}
	return best, nil
}

// setSlotOwner makes n the owner of slot s in one transaction: DELSLOTS
// (in case it is assigned), ADDSLOTS, optionally SETSLOT STABLE, and a
// config epoch bump so the claim wins. Only an ADDSLOTS failure counts.
func (m *manager) setSlotOwner(n *cnode, s int, clear bool) error {
	slot := strconv.Itoa(s)
	cmds := [][]string{{"MULTI"}, {"CLUSTER", "DELSLOTS", slot}, {"CLUSTER", "ADDSLOTS", slot}}
	if clear {
		cmds = append(cmds, []string{"CLUSTER", "SETSLOT", slot, "STABLE"})
	}
	cmds = append(cmds, []string{"CLUSTER", "BUMPEPOCH"}, []string{"EXEC"})
	replies, err := n.conn.Pipeline(cmds)
	if err != nil {
		return err
	}
	exec := replies[len(replies)-1]
	if exec.IsError() {
		return fmt.Errorf("setting %s as owner of slot %d: %s", n.addr, s, exec.Str)
	}
	if len(exec.Elems) > 1 && exec.Elems[1].IsError() {
		return fmt.Errorf("CLUSTER ADDSLOTS %d on %s: %s", s, n.addr, exec.Elems[1].Str)
	}
	n.Slots[s] = true
	return nil
}

// moveOneSlot moves slot s from src to dst with the legacy mover; cold
// moves keys only (the slot configuration is handled by the caller).
func (m *manager) moveOneSlot(ctx context.Context, src, dst *cnode, s int, cold bool, co *clusterOptions) error {
	o := co.moveOptions()
	o.legacy, o.cold = true, cold
	p := m.newProgress()
	defer p.close()
	err := m.legacyJob(ctx, p, moveJob{src: src, dst: dst, ranges: []slotRange{{s, s}}}, o)
	if err == nil && !cold {
		src.Slots[s], dst.Slots[s] = false, true
		delete(src.Migrating, s)
		delete(dst.Importing, s)
	}
	return err
}

func setSlot(n *cnode, s int, args ...string) error {
	if err := n.conn.OK(append([]string{"CLUSTER", "SETSLOT", strconv.Itoa(s)}, args...)...); err != nil {
		return fmt.Errorf("CLUSTER SETSLOT %d %s on %s: %w", s, strings.Join(args, " "), n.addr, err)
	}
	return nil
}

// refuseUnreachable stops a fix that would assume unreachable primaries
// own nothing.
func (m *manager) refuseUnreachable(co *clusterOptions, what string) error {
	if m.unreachablePrimaries == 0 || co.fixWithUnreachable {
		return nil
	}
	m.out.warnf("*** Fixing %s with %d unreachable primaries is dangerous: shoal-cli would assume that slots "+
		"about primaries that are not reachable are not covered, and would try to reassign them to the "+
		"reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to "+
		"proceed use the --cluster-fix-with-unreachable-masters option.", what, m.unreachablePrimaries)
	return &exitError{code: ExitError, err: errPrinted}
}

// openSlotState gathers who claims, migrates and imports an open slot.
type openSlotState struct {
	owners, migrating, importing []*cnode
	owner                        *cnode
}

func (m *manager) openSlotState(s int) (*openSlotState, error) {
	st := &openSlotState{}
	for _, n := range m.primaries() {
		if n.Slots[s] {
			st.owners = append(st.owners, n)
			continue
		}
		k, err := m.slotKeys(n, s)
		if err != nil {
			return nil, err
		}
		if k > 0 {
			m.out.warnf("*** Found keys about slot %d in non-owner node %s!", s, n.addr)
			st.owners = append(st.owners, n)
		}
	}
	if len(st.owners) == 1 {
		st.owner = st.owners[0]
	}
	for _, n := range m.primaries() {
		switch {
		case n.Migrating[s] != "":
			st.migrating = append(st.migrating, n)
		case n.Importing[s] != "":
			st.importing = append(st.importing, n)
		case n != st.owner:
			k, err := m.slotKeys(n, s)
			if err != nil {
				return nil, err
			}
			if k > 0 {
				m.out.warnf("*** Found keys about slot %d in node %s!", s, n.addr)
				st.importing = append(st.importing, n)
			}
		}
	}
	return st, nil
}

func addrs(ns []*cnode) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.addr)
	}
	return strings.Join(out, ",")
}

func without(ns []*cnode, x *cnode) []*cnode {
	return slices.DeleteFunc(slices.Clone(ns), func(n *cnode) bool { return n == x })
}

// fixOpenSlot is valkey-cli's clusterManagerFixOpenSlot: it closes a slot
// left migrating/importing by an interrupted migration, moving keys so
// none is lost.
func (m *manager) fixOpenSlot(ctx context.Context, s int, co *clusterOptions) error {
	if err := m.refuseUnreachable(co, "open slots"); err != nil {
		return err
	}
	m.out.info("Fixing open slot %d", s)
	st, err := m.openSlotState(s)
	if err != nil {
		return err
	}
	if len(st.migrating) > 0 {
		m.out.printf("Set as migrating in: %s\n", addrs(st.migrating))
	}
	if len(st.importing) > 0 {
		m.out.printf("Set as importing in: %s\n", addrs(st.importing))
	}
	if st.owner == nil {
		if err := m.pickOpenSlotOwner(s, st); err != nil {
			return err
		}
	}
	// Several owners: keep one, make the others importing so the base
	// cases below move their keys.
	if len(st.owners) > 1 {
		for _, n := range without(st.owners, st.owner) {
			_ = n.conn.OK("CLUSTER", "DELSLOTS", strconv.Itoa(s))
			n.Slots[s] = false
			if err := setSlot(n, s, "NODE", st.owner.ID); err != nil {
				return err
			}
			if err := setSlot(n, s, "IMPORTING", st.owner.ID); err != nil {
				return err
			}
			st.importing = append(without(st.importing, n), n)
			st.migrating = without(st.migrating, n)
		}
	}
	return m.fixOpenSlotCases(ctx, s, st, co)
}

// pickOpenSlotOwner chooses the node with the most keys as the owner of a
// slot nobody clearly owns.
func (m *manager) pickOpenSlotOwner(s int, st *openSlotState) error {
	m.out.info("No single clear owner for the slot, selecting an owner by # of keys...")
	owner, err := m.nodeWithMostKeys(m.nodes, s)
	if err != nil {
		return err
	}
	if owner == nil {
		m.out.errf("[ERR] Can't select a slot owner. Impossible to fix.")
		return &exitError{code: ExitError, err: errPrinted}
	}
	m.out.warnf("*** Configuring %s as the slot owner", owner.addr)
	if err := setSlot(owner, s, "STABLE"); err != nil {
		return err
	}
	if err := m.setSlotOwner(owner, s, false); err != nil {
		return err
	}
	st.owner = owner
	st.migrating = without(st.migrating, owner)
	st.importing = without(st.importing, owner)
	delete(owner.Migrating, s)
	delete(owner.Importing, s)
	return nil
}

func (m *manager) fixOpenSlotCases(ctx context.Context, s int, st *openSlotState, co *clusterOptions) error {
	switch {
	case len(st.migrating) == 1 && len(st.importing) == 1:
		src, dst := st.migrating[0], st.importing[0]
		m.out.info("Case 1: Moving slot %d from %s to %s", s, src.addr, dst.addr)
		return m.moveOneSlot(ctx, src, dst, s, false, co)
	case len(st.migrating) == 0 && len(st.importing) > 0:
		m.out.info("Case 2: Moving all the %d slot keys to its owner %s", s, st.owner.addr)
		for _, n := range without(st.importing, st.owner) {
			if err := m.moveOneSlot(ctx, n, st.owner, s, true, co); err != nil {
				return err
			}
			m.out.info("Setting %d as STABLE in %s", s, n.addr)
			if err := setSlot(n, s, "STABLE"); err != nil {
				return err
			}
			delete(n.Importing, s)
		}
		for _, n := range without(m.primaries(), st.owner) {
			if err := setSlot(n, s, "NODE", st.owner.ID); err != nil {
				return err
			}
		}
		return nil
	case len(st.migrating) == 1 && len(st.importing) > 1:
		return m.fixOpenSlotCase3(ctx, s, st, co)
	case len(st.migrating) == 1 && len(st.importing) == 0:
		return m.fixOpenSlotCase4(s, st)
	}
	return m.unhandledOpenSlot(s, st)
}

// fixOpenSlotCase3: one node migrating, several importing without keys.
// Finish the move to the migrating node's target if it is among them,
// and close the slot everywhere else.
func (m *manager) fixOpenSlotCase3(ctx context.Context, s int, st *openSlotState, co *clusterOptions) error {
	src := st.migrating[0]
	var dst *cnode
	for _, n := range st.importing {
		k, err := m.slotKeys(n, s)
		if err != nil {
			return err
		}
		if k > 0 {
			return m.unhandledOpenSlot(s, st)
		}
		if n.ID == src.Migrating[s] {
			dst = n
		}
	}
	if dst == nil {
		m.out.info("Case 3: Closing slot %d on both migrating and importing nodes.", s)
		for _, n := range append([]*cnode{src}, st.importing...) {
			if err := setSlot(n, s, "STABLE"); err != nil {
				return err
			}
		}
		return nil
	}
	m.out.info("Case 3: Moving slot %d from %s to %s and closing it on all the other importing nodes.",
		s, src.addr, dst.addr)
	if err := m.moveOneSlot(ctx, src, dst, s, false, co); err != nil {
		return err
	}
	for _, n := range without(st.importing, dst) {
		if err := setSlot(n, s, "STABLE"); err != nil {
			return err
		}
	}
	return nil
}

// fixOpenSlotCase4: a migrating node, nobody importing. If the node owns
// the slot or holds no key of it, the move was interrupted before any key
// moved: just close the slot.
func (m *manager) fixOpenSlotCase4(s int, st *openSlotState) error {
	n := st.migrating[0]
	if st.owner != n {
		k, err := m.slotKeys(n, s)
		if err != nil {
			return err
		}
		if k > 0 {
			return m.unhandledOpenSlot(s, st)
		}
	}
	m.out.info("Case 4: Closing slot %d on %s", s, n.addr)
	if err := setSlot(n, s, "STABLE"); err != nil {
		return err
	}
	delete(n.Migrating, s)
	return nil
}

func (m *manager) unhandledOpenSlot(s int, st *openSlotState) error {
	owner := "none"
	if st.owner != nil {
		owner = st.owner.addr
	}
	m.out.errf("[ERR] Sorry, shoal-cli can't fix this slot yet (work in progress). Slot %d is set as migrating "+
		"in %s, as importing in %s, owner is %s", s, addrs(st.migrating), addrs(st.importing), owner)
	return &exitError{code: ExitError, err: errPrinted}
}

// fixCoverage is valkey-cli's clusterManagerFixSlotsCoverage: give every
// unassigned slot an owner, preferring nodes that hold its keys.
func (m *manager) fixCoverage(ctx context.Context, missing *slotSet, co *clusterOptions) (int, error) {
	if err := m.refuseUnreachable(co, "slots coverage"); err != nil {
		return 0, err
	}
	m.out.info("Fixing slots coverage...")
	var none, single, multi slotSet
	holders := map[int][]*cnode{}
	for s := 0; s < numSlots; s++ {
		if !missing[s] {
			continue
		}
		for _, n := range m.primaries() {
			k, err := m.slotKeys(n, s)
			if err != nil {
				return 0, err
			}
			if k > 0 {
				holders[s] = append(holders[s], n)
			}
		}
		switch len(holders[s]) {
		case 0:
			none[s] = true
		case 1:
			single[s] = true
		default:
			multi[s] = true
		}
	}
	fixed := 0
	if none.count() > 0 {
		m.out.printf("The following uncovered slots have no keys across the cluster:\n%s\n",
			slotsListString(none.ranges()))
		if m.confirm(co, "Fix these slots by covering with a random node?") {
			n, err := m.coverEmpty(&none)
			fixed += n
			if err != nil {
				return fixed, err
			}
		}
	}
	if single.count() > 0 {
		m.out.printf("The following uncovered slots have keys in just one node:\n%s\n",
			slotsListString(single.ranges()))
		if m.confirm(co, "Fix these slots by covering with those nodes?") {
			for _, r := range single.ranges() {
				for s := r.Start; s <= r.End; s++ {
					n := holders[s][0]
					m.out.info("Covering slot %d with %s", s, n.addr)
					if err := m.setSlotOwner(n, s, false); err != nil {
						return fixed, err
					}
					fixed++
				}
			}
		}
	}
	if multi.count() > 0 {
		m.out.printf("The following uncovered slots have keys in multiple nodes:\n%s\n",
			slotsListString(multi.ranges()))
		if m.confirm(co, "Fix these slots by moving keys into a single node?") {
			for _, r := range multi.ranges() {
				for s := r.Start; s <= r.End; s++ {
					if err := m.coverFromMany(ctx, s, holders[s], co); err != nil {
						return fixed, err
					}
					fixed++
				}
			}
		}
	}
	return fixed, nil
}

// coverEmpty assigns slots without keys, spreading them over the
// primaries with the fewest slots (valkey-cli picks at random).
func (m *manager) coverEmpty(set *slotSet) (int, error) {
	ps := m.primaries()
	if len(ps) == 0 {
		return 0, errors.New("no reachable primary to cover slots with")
	}
	fixed := 0
	for _, r := range set.ranges() {
		for s := r.Start; s <= r.End; s++ {
			n := slices.MinFunc(ps, func(a, b *cnode) int { return a.Slots.count() - b.Slots.count() })
			m.out.info("Covering slot %d with %s", s, n.addr)
			if err := m.setSlotOwner(n, s, false); err != nil {
				return fixed, err
			}
			fixed++
		}
	}
	return fixed, nil
}

// coverFromMany gives slot s to the holder with the most keys and moves
// the other holders' keys there.
func (m *manager) coverFromMany(ctx context.Context, s int, holders []*cnode, co *clusterOptions) error {
	target, err := m.nodeWithMostKeys(holders, s)
	if err != nil {
		return err
	}
	m.out.info("Covering slot %d moving keys to %s", s, target.addr)
	if err := m.setSlotOwner(target, s, true); err != nil {
		return err
	}
	for _, src := range without(holders, target) {
		if err := setSlot(src, s, "NODE", target.ID); err != nil {
			return err
		}
		// Importing state lets the source run MIGRATE for a slot it does
		// not own, without being redirected.
		if err := setSlot(src, s, "IMPORTING", target.ID); err != nil {
			return err
		}
		if err := m.moveOneSlot(ctx, src, target, s, true, co); err != nil {
			return err
		}
		if err := setSlot(src, s, "STABLE"); err != nil {
			return err
		}
	}
	return nil
}

// fixUnownedKeys moves (or, with --cluster-purge-unowned, deletes) the
// keys node n holds in slots owned by another node.
func (m *manager) fixUnownedKeys(ctx context.Context, n *cnode, set *slotSet, co *clusterOptions) error {
	for _, r := range set.ranges() {
		for s := r.Start; s <= r.End; s++ {
			owner := m.slotOwner(s)
			if owner == nil || owner == n {
				continue // uncovered: the coverage fix deals with it
			}
			if err := setSlot(n, s, "IMPORTING", owner.ID); err != nil {
				return err
			}
			var err error
			if co.purgeUnowned {
				m.out.info("Deleting the keys of slot %d from %s (owner %s)", s, n.addr, owner.addr)
				err = m.purgeSlot(n, s)
			} else {
				m.out.info("Moving the keys of slot %d from %s to its owner %s", s, n.addr, owner.addr)
				err = m.moveOneSlot(ctx, n, owner, s, true, co)
			}
			if err2 := setSlot(n, s, "STABLE"); err == nil {
				err = err2
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// purgeSlot deletes every key of slot s on n, in every database. The slot
// is importing on n, so ASKING lets the deletes through.
func (m *manager) purgeSlot(n *cnode, s int) error {
	defer n.conn.Select(0)
	for db := 0; db < m.dbCount(); db++ {
		if err := n.conn.Select(db); err != nil {
			return err
		}
		for {
			r, err := n.conn.Call("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(s), "100")
			if err != nil {
				return err
			}
			if len(r.Elems) == 0 {
				break
			}
			args := []string{"UNLINK"}
			for _, k := range r.Elems {
				args = append(args, k.Str)
			}
			replies, err := n.conn.Pipeline([][]string{{"ASKING"}, args})
			if err != nil {
				return err
			}
			if replies[1].IsError() {
				return fmt.Errorf("UNLINK on %s: %s", n.addr, replies[1].Str)
			}
		}
	}
	return nil
}

// fixMultipleOwners is valkey-cli's clusterManagerFixMultipleSlotOwners:
// the owner with the most keys keeps the slot, the others hand it over
// and send it their keys.
func (m *manager) fixMultipleOwners(ctx context.Context, s int, owners []*cnode, co *clusterOptions) error {
	m.out.info("Fixing multiple owners for slot %d...", s)
	owner, err := m.nodeWithMostKeys(owners, s)
	if err != nil {
		return err
	}
	m.out.info("Setting slot %d owner: %s", s, owner.addr)
	if err := m.setSlotOwner(owner, s, false); err != nil {
		return err
	}
	for _, n := range without(m.primaries(), owner) {
		k, err := m.slotKeys(n, s)
		if err != nil {
			return err
		}
		_ = n.conn.OK("CLUSTER", "DELSLOTS", strconv.Itoa(s))
		n.Slots[s] = false
		if err := setSlot(n, s, "NODE", owner.ID); err != nil {
			return err
		}
		if k == 0 {
			continue
		}
		if err := setSlot(n, s, "IMPORTING", owner.ID); err != nil {
			return err
		}
		if err := m.moveOneSlot(ctx, n, owner, s, true, co); err != nil {
			return err
		}
		if err := setSlot(n, s, "STABLE"); err != nil {
			return err
		}
	}
	return nil
}
