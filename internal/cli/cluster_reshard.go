package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// prompt asks a question and returns the trimmed answer; a usage error
// when stdin has no answer (scripts must use the flags).
func (m *manager) prompt(question string) (string, error) {
	fmt.Fprint(m.questions(), question)
	line, err := m.a.readAnswer()
	if line == "" && err != nil {
		return "", usagef("no answer on stdin (use the --cluster-* flags)")
	}
	return strings.TrimSpace(line), nil
}

// reshardNode resolves a receiving or source node: a known primary.
func (m *manager) reshardNode(id string, target *cnode) (*cnode, error) {
	n := m.nodeByPrefix(id)
	if n == nil || !n.primary() {
		return nil, fmt.Errorf("*** The specified node (%s) is not known or not a primary, please retry.", id)
	}
	if target != nil && n == target {
		return nil, errors.New("*** It is not possible to use the target node as source node.")
	}
	return n, nil
}

// requireHealthy runs a check and refuses to go on when it finds problems.
func (m *manager) requireHealthy(ctx context.Context, co *clusterOptions, quiet bool, what string) error {
	rep, err := m.check(ctx, checkOptions{quiet: quiet, skipKeys: true, co: co})
	if err != nil {
		return err
	}
	if !rep.ok() {
		return fmt.Errorf("*** Please fix your cluster problems before %s", what)
	}
	return nil
}

func (a *app) clusterReshard(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	if err := m.requireHealthy(ctx, co, false, "resharding"); err != nil {
		return err
	}
	slots, err := m.reshardSlots(co)
	if err != nil {
		return err
	}
	to := co.to
	for to == "" {
		if to, err = m.prompt("What is the receiving node ID? "); err != nil {
			return err
		}
	}
	target, err := m.reshardNode(to, nil)
	if err != nil {
		return err
	}
	sources, err := m.reshardSources(co, target)
	if err != nil {
		return err
	}
	m.out.printf("\nReady to move %d slots.\n  Source nodes:\n", slots)
	for _, s := range sources {
		m.out.printf("%s\n", s.info(4))
	}
	m.out.printf("  Destination node:\n%s\n", target.info(4))
	jobs := computeReshardTable(sources, slots, target)
	m.out.printf("  Resharding plan:\n")
	for _, j := range jobs {
		m.out.printf("    Moving slot range %s from %s\n", rangesString(j.ranges), j.src.ID)
	}
	m.out.event("plan", map[string]any{"jobs": jobsJSON(jobs)})
	if !co.yes {
		if ans, err := m.prompt("Do you want to proceed with the proposed reshard plan (yes/no)? "); err != nil || ans != "yes" {
			return &exitError{code: ExitError}
		}
	}
	if err := m.runJobs(ctx, jobs, co.moveOptions()); err != nil {
		return err
	}
	return m.settle(ctx)
}

func (m *manager) reshardSlots(co *clusterOptions) (int, error) {
	slots := co.slots
	for slots <= 0 || slots > numSlots {
		if co.slots != 0 {
			return 0, usagef("--cluster-slots must be between 1 and %d", numSlots)
		}
		ans, err := m.prompt(fmt.Sprintf("How many slots do you want to move (from 1 to %d)? ", numSlots))
		if err != nil {
			return 0, err
		}
		slots, _ = strconv.Atoi(ans)
	}
	return slots, nil
}

// reshardSources resolves --cluster-from (ids, comma separated, or
// "all"), or asks for them.
func (m *manager) reshardSources(co *clusterOptions, target *cnode) ([]*cnode, error) {
	var ids []string
	all := false
	if co.from != "" {
		ids = strings.Split(co.from, ",")
	} else {
		m.out.printf("Please enter all the source node IDs.\n  Type 'all' to use all the nodes as source nodes for the hash slots.\n  Type 'done' once you entered all the source nodes IDs.\n")
		for i := 1; ; i++ {
			ans, err := m.prompt(fmt.Sprintf("Source node #%d: ", i))
			if err != nil {
				return nil, err
			}
			if ans == "done" {
				break
			}
			ids = append(ids, ans)
			if ans == "all" {
				break
			}
		}
	}
	var sources []*cnode
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "all" {
			all = true
			break
		}
		if id == "" {
			continue
		}
		n, err := m.reshardNode(id, target)
		if err != nil {
			return nil, err
		}
		sources = append(sources, n)
	}
	if all {
		sources = nil
		for _, n := range m.primaries() {
			if n != target {
				sources = append(sources, n)
			}
		}
	}
	if len(sources) == 0 {
		return nil, errors.New("*** No source nodes given, operation aborted.")
	}
	return sources, nil
}

func jobsJSON(jobs []moveJob) []map[string]any {
	out := make([]map[string]any, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, map[string]any{"source": j.src.ID, "target": j.dst.ID,
			"slot_ranges": rangesString(j.ranges), "slots": rangesCount(j.ranges)})
	}
	return out
}

func (a *app) clusterRebalance(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	if err := m.load(ctx, addr, false); err != nil {
		return err
	}
	if err := m.parseWeights(co.weights); err != nil {
		return err
	}
	var involved []*cnode
	for _, n := range m.primaries() {
		if !co.useEmpty && n.Slots.count() == 0 {
			continue
		}
		involved = append(involved, n)
	}
	if err := m.requireHealthy(ctx, co, true, "rebalancing"); err != nil {
		return err
	}
	moves, needed, err := rebalancePlan(involved, co.threshold)
	if err != nil {
		return err
	}
	if !needed {
		m.out.warnf("*** No rebalancing needed! All nodes are within the %.2f%% threshold.", co.threshold)
		m.out.event("result", map[string]any{"ok": true, "moved": false})
		return nil
	}
	var total float64
	for _, n := range involved {
		total += n.weight
	}
	m.out.info("Rebalancing across %d nodes. Total weight = %.2f", len(involved), total)
	var jobs []moveJob
	for _, mv := range moves {
		m.out.printf("Moving %d slots from %s to %s\n", mv.n, mv.src.addr, mv.dst.addr)
		step := computeReshardTable([]*cnode{mv.src}, mv.n, mv.dst)
		applyJobs(step)
		jobs = append(jobs, step...)
		if co.simulate {
			m.out.printf("%s\n", strings.Repeat("#", mv.n))
		}
	}
	m.out.event("plan", map[string]any{"jobs": jobsJSON(jobs), "simulate": co.simulate})
	if co.simulate {
		m.out.event("result", map[string]any{"ok": true, "moved": false})
		return nil
	}
	if err := m.runJobs(ctx, jobs, co.moveOptions()); err != nil {
		return err
	}
	return m.settle(ctx)
}
