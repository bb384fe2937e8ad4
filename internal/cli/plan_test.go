package cli

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func testNodes(hosts ...string) []*cnode {
	var out []*cnode
	for i, h := range hosts {
		n := &cnode{addr: fmt.Sprintf("%s:%d", h, 7000+i), weight: 1}
		n.ID = fmt.Sprintf("%040d", i)
		n.Host, n.Port = h, 7000+i
		out = append(out, n)
	}
	return out
}

func TestPlanCreateSlots(t *testing.T) {
	nodes := testNodes("h", "h", "h")
	prim, lines := planCreate(nodes, 0, rand.New(rand.NewSource(1)))
	want := []string{"Primary[0] -> Slots 0 - 5460", "Primary[1] -> Slots 5461 - 10922", "Primary[2] -> Slots 10923 - 16383"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || len(prim) != 3 {
		t.Fatalf("plan:\n%s", strings.Join(lines, "\n"))
	}
	total := 0
	for _, p := range prim {
		total += p.Slots.count()
	}
	if total != numSlots {
		t.Fatalf("%d slots assigned", total)
	}
	// 5 primaries: ranges as valkey-cli computes them (float cursor).
	nodes = testNodes("h", "h", "h", "h", "h")
	_, lines = planCreate(nodes, 0, rand.New(rand.NewSource(1)))
	want = []string{"Primary[0] -> Slots 0 - 3276", "Primary[1] -> Slots 3277 - 6553", "Primary[2] -> Slots 6554 - 9829",
		"Primary[3] -> Slots 9830 - 13106", "Primary[4] -> Slots 13107 - 16383"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s", strings.Join(lines, "\n"))
	}
}

// With three hosts of two nodes each and one replica per primary, every
// replica ends up on a host other than its primary's.
func TestPlanCreateAntiAffinity(t *testing.T) {
	for seed := int64(0); seed < 20; seed++ {
		nodes := testNodes("a", "a", "b", "b", "c", "c")
		prim, _ := planCreate(nodes, 1, rand.New(rand.NewSource(seed)))
		if len(prim) != 3 {
			t.Fatalf("%d primaries", len(prim))
		}
		hostOf := map[string]string{}
		for _, n := range nodes {
			hostOf[n.ID] = n.Host
		}
		replicas := map[string]int{}
		for _, n := range nodes {
			if n.replicate == "" {
				continue
			}
			replicas[n.replicate]++
			if hostOf[n.replicate] == n.Host {
				t.Fatalf("seed %d: replica %s on its primary's host", seed, n.addr)
			}
		}
		for _, p := range prim {
			if replicas[p.ID] != 1 {
				t.Fatalf("seed %d: primary %s has %d replicas", seed, p.addr, replicas[p.ID])
			}
		}
		if s, _ := antiAffinityScore(nodes); s != 0 {
			t.Fatalf("seed %d: score %d", seed, s)
		}
	}
}

// On a single host anti-affinity is impossible and reported; leftover
// nodes become extra replicas.
func TestPlanCreateExtraReplicas(t *testing.T) {
	nodes := testNodes("h", "h", "h", "h", "h", "h", "h")
	prim, lines := planCreate(nodes, 1, rand.New(rand.NewSource(1)))
	text := strings.Join(lines, "\n")
	if len(prim) != 3 || !strings.Contains(text, "Adding extra replicas...") ||
		!strings.Contains(text, "[WARNING] Some replicas are in the same host as their primary") {
		t.Fatalf("plan:\n%s", text)
	}
	n := 0
	for _, x := range nodes {
		if x.replicate != "" {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d replicas, want 4", n)
	}
}

func withSlots(n *cnode, rs ...slotRange) *cnode {
	n.Slots = slotSet{}
	n.Slots.addRanges(rs)
	return n
}

func TestComputeReshardTable(t *testing.T) {
	ns := testNodes("h", "h", "h", "h")
	a := withSlots(ns[0], slotRange{0, 5460})
	b := withSlots(ns[1], slotRange{5461, 10922})
	c := withSlots(ns[2], slotRange{10923, 16383})
	jobs := computeReshardTable([]*cnode{a, b, c}, 1000, ns[3])
	var got []string
	total := 0
	for _, j := range jobs {
		got = append(got, j.src.addr+" "+rangesString(j.ranges))
		total += rangesCount(j.ranges)
	}
	// The largest source (5462 slots) comes first and rounds up (334),
	// the others round down (333).
	want := []string{"h:7001 5461-5794", "h:7000 0-332", "h:7002 10923-11255"}
	if strings.Join(got, "|") != strings.Join(want, "|") || total != 1000 {
		t.Fatalf("table %v (total %d)", got, total)
	}
	// A single source gives exactly what is asked, from its lowest slots,
	// across holes.
	d := withSlots(testNodes("h")[0], slotRange{10, 12}, slotRange{20, 30})
	jobs = computeReshardTable([]*cnode{d}, 5, ns[3])
	if len(jobs) != 1 || rangesString(jobs[0].ranges) != "10-12 20-21" {
		t.Fatalf("single source: %+v", jobs)
	}
}

func TestRebalancePlan(t *testing.T) {
	ns := testNodes("h", "h", "h", "h")
	withSlots(ns[0], slotRange{0, 5460})
	withSlots(ns[1], slotRange{5461, 10922})
	withSlots(ns[2], slotRange{10923, 16383})
	// Balanced: nothing to do.
	if _, needed, err := rebalancePlan(ns[:3], 2); err != nil || needed {
		t.Fatalf("balanced cluster: needed=%v err=%v", needed, err)
	}
	// An empty fourth primary: each gives it about a quarter of its slots.
	moves, needed, err := rebalancePlan(ns, 2)
	if err != nil || !needed {
		t.Fatalf("needed=%v err=%v", needed, err)
	}
	got := map[*cnode]int{}
	for _, mv := range moves {
		if mv.dst != ns[3] {
			t.Fatalf("move to %s", mv.dst.addr)
		}
		got[mv.src] += mv.n
	}
	if got[ns[0]]+got[ns[1]]+got[ns[2]] != 4096 {
		t.Fatalf("moves %v", moves)
	}
	// Scale-in: weight 0 empties a node.
	ns = testNodes("h", "h", "h", "h")
	for i, n := range ns {
		withSlots(n, slotRange{i * 4096, i*4096 + 4095})
	}
	ns[3].weight = 0
	moves, _, _ = rebalancePlan(ns, 2)
	gave := 0
	for _, mv := range moves {
		if mv.src != ns[3] {
			t.Fatalf("move from %s", mv.src.addr)
		}
		gave += mv.n
	}
	if gave != 4096 {
		t.Fatalf("weight 0 node gives %d slots", gave)
	}
	// Within the threshold: no move.
	ns = testNodes("h", "h")
	withSlots(ns[0], slotRange{0, 8200})
	withSlots(ns[1], slotRange{8201, 16383})
	if _, needed, _ := rebalancePlan(ns, 2); needed {
		t.Fatal("a 0.1% imbalance triggered a rebalance")
	}
	if _, needed, _ := rebalancePlan(ns, 0.01); !needed {
		t.Fatal("a 0.1% imbalance with a 0.01% threshold did not")
	}
}

// Rebalancing by weights applied step by step keeps every slot owned
// exactly once and lands each node on its expected share.
func TestRebalanceApply(t *testing.T) {
	ns := testNodes("h", "h", "h")
	withSlots(ns[0], slotRange{0, 16383})
	ns[1].weight, ns[2].weight = 2, 1
	moves, needed, _ := rebalancePlan(ns, 2)
	if !needed {
		t.Fatal("no rebalance")
	}
	for _, mv := range moves {
		applyJobs(computeReshardTable([]*cnode{mv.src}, mv.n, mv.dst))
	}
	counts := []int{ns[0].Slots.count(), ns[1].Slots.count(), ns[2].Slots.count()}
	if counts[0]+counts[1]+counts[2] != numSlots || counts[1] < 8190 || counts[0] < 4090 || counts[2] < 4090 {
		t.Fatalf("counts %v", counts)
	}
	for s := 0; s < numSlots; s++ {
		owners := 0
		for _, n := range ns {
			if n.Slots[s] {
				owners++
			}
		}
		if owners != 1 {
			t.Fatalf("slot %d has %d owners", s, owners)
		}
	}
}

func TestMergeJobs(t *testing.T) {
	ns := testNodes("h", "h", "h")
	jobs := mergeJobs([]moveJob{
		{ns[0], ns[2], []slotRange{{0, 9}}},
		{ns[1], ns[2], []slotRange{{100, 109}}},
		{ns[0], ns[2], []slotRange{{10, 19}, {30, 30}}},
	})
	if len(jobs) != 2 || rangesString(jobs[0].ranges) != "0-19 30-30" || rangesString(jobs[1].ranges) != "100-109" {
		t.Fatalf("%+v", jobs)
	}
}
