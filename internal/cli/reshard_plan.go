package cli

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// computeReshardTable is valkey-cli's clusterManagerComputeReshardTable:
// take numslots slots from sources in proportion to the slots each has,
// rounding up for the largest source and down for the others, lowest
// slots first.
func computeReshardTable(sources []*cnode, numslots int, dst *cnode) []moveJob {
	sorted := append([]*cnode(nil), sources...)
	total := 0
	for _, n := range sorted {
		total += n.Slots.count()
	}
	if total == 0 {
		return nil
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Slots.count() > sorted[j].Slots.count() })
	var jobs []moveJob
	for i, n := range sorted {
		share := float32(numslots) / float32(total) * float32(n.Slots.count())
		if i == 0 {
			share = float32(math.Ceil(float64(share)))
		} else {
			share = float32(math.Floor(float64(share)))
		}
		// float32 arithmetic, as in valkey-cli, can round a single source's
		// share above what was asked for.
		if rs := takeSlots(&n.Slots, min(int(share), numslots)); len(rs) > 0 {
			jobs = append(jobs, moveJob{src: n, dst: dst, ranges: rs})
		}
	}
	return jobs
}

// takeSlots returns the lowest max slots of set as ranges.
func takeSlots(set *slotSet, max int) []slotRange {
	var picked slotSet
	count := 0
	for s := 0; s < numSlots && count < max; s++ {
		if set[s] {
			picked[s] = true
			count++
		}
	}
	return picked.ranges()
}

// applyJobs updates the slot sets as if the jobs had run, so later plans
// see the new ownership.
func applyJobs(jobs []moveJob) {
	for _, j := range jobs {
		for _, r := range j.ranges {
			for s := r.Start; s <= r.End; s++ {
				j.src.Slots[s], j.dst.Slots[s] = false, true
			}
		}
	}
}

// rebalanceMove is one step of a rebalance: n slots from src to dst.
type rebalanceMove struct {
	src, dst *cnode
	n        int
}

// rebalancePlan is valkey-cli's rebalance computation. Each node's
// balance is its slots minus its expected share (16384 * weight /
// total weight); nothing moves unless some node is off by more than
// threshold percent. Rounding leftovers are given to nodes that take
// slots; then the most-receiving and the most-giving nodes are paired
// until every balance is zero.
func rebalancePlan(involved []*cnode, threshold float64) ([]rebalanceMove, bool, error) {
	var totalWeight float32
	for _, n := range involved {
		totalWeight += float32(n.weight)
	}
	if totalWeight <= 0 {
		return nil, false, fmt.Errorf("*** the total weight of the nodes is zero")
	}
	needed, totalBalance := false, 0
	for _, n := range involved {
		expected := int(float32(numSlots) / totalWeight * float32(n.weight))
		slots := n.Slots.count()
		n.balance = slots - expected
		totalBalance += n.balance
		if threshold > 0 {
			if slots > 0 {
				if math.Abs(100-100.0*float64(expected)/float64(slots)) > threshold {
					needed = true
				}
			} else if expected > 1 {
				needed = true
			}
		}
	}
	if !needed {
		return nil, false, nil
	}
	for totalBalance > 0 {
		for _, n := range involved {
			if n.balance <= 0 && totalBalance > 0 {
				n.balance--
				totalBalance--
			}
		}
	}
	sorted := append([]*cnode(nil), involved...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].balance < sorted[j].balance })
	var moves []rebalanceMove
	for dst, src := 0, len(sorted)-1; dst < src; {
		d, s := sorted[dst], sorted[src]
		n := min(-d.balance, s.balance)
		if n > 0 {
			moves = append(moves, rebalanceMove{src: s, dst: d, n: n})
		}
		d.balance += n
		s.balance -= n
		if d.balance == 0 {
			dst++
		}
		if s.balance == 0 {
			src--
		}
		if n <= 0 && d.balance != 0 && s.balance != 0 {
			break // cannot happen with consistent balances; never loop forever
		}
	}
	return moves, true, nil
}

// parseWeights applies --cluster-weight id=w (ids may be abbreviated).
func (m *manager) parseWeights(specs []string) error {
	for _, spec := range specs {
		for _, item := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' }) {
			name, w, ok := strings.Cut(item, "=")
			if !ok {
				return usagef("*** invalid input %s", item)
			}
			weight, err := strconv.ParseFloat(w, 32)
			if err != nil || weight < 0 {
				return usagef("*** invalid weight in %s", item)
			}
			n := m.nodeByPrefix(name)
			if n == nil || !n.primary() {
				return fmt.Errorf("*** No such primary node %s", name)
			}
			n.weight = weight
		}
	}
	return nil
}
