package cli

import (
	"fmt"
	"math"
	"math/rand"
)

// planCreate assigns slots to primaries and primaries to replicas the way
// valkey-cli's cluster create does: nodes are interleaved by host so
// consecutive primaries sit on different hosts, slots are split in equal
// contiguous ranges, replicas go to primaries on other hosts where
// possible, leftovers become extra replicas, and a randomized optimizer
// reduces the replicas sharing a host with their primary or with each
// other. It returns the primaries and the lines to print.
func planCreate(nodes []*cnode, replicas int, rng *rand.Rand) ([]*cnode, []string) {
	var out []string
	nprim := len(nodes) / (replicas + 1)
	inter := interleaveByHost(nodes)
	primaries, rest := inter[:nprim], append([]*cnode(nil), inter[nprim:]...)
	perNode := float32(numSlots) / float32(nprim)
	first, cursor := 0, float32(0)
	for i, p := range primaries {
		last := int(math.Round(float64(cursor + perNode - 1)))
		if last > numSlots || i == nprim-1 {
			last = numSlots - 1
		}
		if last < first {
			last = first
		}
		out = append(out, fmt.Sprintf("Primary[%d] -> Slots %d - %d", i, first, last))
		p.Slots = slotSet{}
		p.Slots.addRanges([]slotRange{{first, last}})
		p.dirty = true
		first = last + 1
		cursor += perNode
	}
	// Rotating the list sometimes helps the initial anti-affinity.
	if len(rest) > 1 {
		rest = append(rest[1:], rest[0])
	}
	out = append(out, assignReplicas(primaries, rest, replicas)...)
	out = append(out, optimizeAntiAffinity(nodes, rng)...)
	return primaries, out
}

// interleaveByHost orders nodes by taking one node per host in turn.
func interleaveByHost(nodes []*cnode) []*cnode {
	var hosts []string
	byHost := map[string][]*cnode{}
	for _, n := range nodes {
		if _, ok := byHost[n.Host]; !ok {
			hosts = append(hosts, n.Host)
		}
		byHost[n.Host] = append(byHost[n.Host], n)
	}
	var out []*cnode
	for len(out) < len(nodes) {
		for _, h := range hosts {
			if q := byHost[h]; len(q) > 0 {
				out = append(out, q[0])
				byHost[h] = q[1:]
			}
		}
	}
	return out
}

// assignReplicas gives each primary up to replicas replicas, preferring
// nodes on another host, then hands out what is left one per primary.
func assignReplicas(primaries, rest []*cnode, replicas int) []string {
	var out []string
	available := len(rest)
	for unused := false; ; unused = true {
		for _, p := range primaries {
			for assigned := 0; assigned < replicas; {
				if available == 0 {
					break
				}
				r := takeReplica(&rest, p.Host)
				if r == nil {
					break
				}
				assigned++
				available--
				r.replicate, r.dirty = p.ID, true
				out = append(out, fmt.Sprintf("Adding replica %s to %s", r.addr, p.addr))
				if unused {
					break
				}
			}
		}
		if unused || available == 0 {
			return out
		}
		out = append(out, "Adding extra replicas...")
	}
}

// takeReplica takes the first remaining node on a host other than host,
// or else the first remaining node.
func takeReplica(rest *[]*cnode, host string) *cnode {
	first := -1
	for j, n := range *rest {
		if n == nil {
			continue
		}
		if n.Host != host {
			(*rest)[j] = nil
			return n
		}
		if first < 0 {
			first = j
		}
	}
	if first < 0 {
		return nil
	}
	n := (*rest)[first]
	*rest = (*rest)[first+1:]
	return n
}

// antiAffinityScore measures how badly replicas are placed: 10000 per
// replica on its primary's host, 1 per replica sharing a host with
// another replica of the same primary. It also returns one offending
// replica per offending group.
func antiAffinityScore(nodes []*cnode) (int, []*cnode) {
	score := 0
	var offenders []*cnode
	var hosts []string
	byHost := map[string][]*cnode{}
	for _, n := range nodes {
		if _, ok := byHost[n.Host]; !ok {
			hosts = append(hosts, n.Host)
		}
		byHost[n.Host] = append(byHost[n.Host], n)
	}
	for _, h := range hosts {
		type group struct {
			primary  bool
			replicas int
		}
		var order []string
		groups := map[string]*group{}
		for _, n := range byHost[h] {
			key, isPrimary := n.ID, true
			if n.replicate != "" {
				key, isPrimary = n.replicate, false
			}
			g, ok := groups[key]
			if !ok {
				g = &group{}
				groups[key] = g
				order = append(order, key)
			}
			if isPrimary {
				g.primary = true
			} else {
				g.replicas++
			}
		}
		for _, key := range order {
			g := groups[key]
			size := g.replicas
			if g.primary {
				size++
			}
			if size < 2 {
				continue
			}
			if g.primary {
				score += 10000 * (size - 1)
			} else {
				score += size
			}
			for _, n := range nodes {
				if n.replicate == key && n.Host == h {
					offenders = append(offenders, n)
					break
				}
			}
		}
	}
	return score, offenders
}

// optimizeAntiAffinity swaps the primaries of random replica pairs,
// keeping swaps that do not make the score worse.
func optimizeAntiAffinity(nodes []*cnode, rng *rand.Rand) []string {
	score, _ := antiAffinityScore(nodes)
	if score == 0 {
		return nil
	}
	out := []string{">>> Trying to optimize replicas allocation for anti-affinity"}
	for iter := 500 * len(nodes); iter > 0; iter-- {
		var offenders []*cnode
		score, offenders = antiAffinityScore(nodes)
		if score == 0 || len(offenders) == 0 {
			break
		}
		a := offenders[rng.Intn(len(offenders))]
		var others []*cnode
		for _, n := range nodes {
			if n != a && n.replicate != "" {
				others = append(others, n)
			}
		}
		if len(others) == 0 {
			break
		}
		b := others[rng.Intn(len(others))]
		a.replicate, b.replicate = b.replicate, a.replicate
		if s, _ := antiAffinityScore(nodes); s > score {
			a.replicate, b.replicate = b.replicate, a.replicate
		}
	}
	switch score, _ = antiAffinityScore(nodes); {
	case score == 0:
		out = append(out, "[OK] Perfect anti-affinity obtained!")
	case score >= 10000:
		out = append(out, "[WARNING] Some replicas are in the same host as their primary")
	default:
		out = append(out, "[WARNING] Some replicas of the same primary are in the same host")
	}
	return out
}
