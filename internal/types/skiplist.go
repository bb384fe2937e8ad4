package types

import "math/rand/v2"

const (
	skiplistMaxLevel = 32
	skiplistP        = 0.25
)

// skiplist orders (score, member) pairs with spans, so rank queries are
// O(log n) — the structure behind Valkey's large sorted sets.
type skiplist struct {
	head   *slNode
	tail   *slNode
	length int
	level  int
}

type slNode struct {
	member   string
	score    float64
	backward *slNode
	level    []slLevel
}

type slLevel struct {
	forward *slNode
	span    int
}

func newSkiplist() *skiplist {
	return &skiplist{head: &slNode{level: make([]slLevel, skiplistMaxLevel)}, level: 1}
}

func randomLevel() int {
	l := 1
	for l < skiplistMaxLevel && rand.Float64() < skiplistP {
		l++
	}
	return l
}

// less orders by score, then member.
func slLess(score float64, member string, n *slNode) bool {
	return n.score < score || (n.score == score && n.member < member)
}

func (sl *skiplist) insert(score float64, member string) *slNode {
	var update [skiplistMaxLevel]*slNode
	var rank [skiplistMaxLevel]int
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && slLess(score, member, x.level[i].forward) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	level := randomLevel()
	if level > sl.level {
		for i := sl.level; i < level; i++ {
			rank[i] = 0
			update[i] = sl.head
			update[i].level[i].span = sl.length
		}
		sl.level = level
	}
	x = &slNode{member: member, score: score, level: make([]slLevel, level)}
	for i := 0; i < level; i++ {
		x.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = x
		x.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.head {
		x.backward = update[0]
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x
	} else {
		sl.tail = x
	}
	sl.length++
	return x
}

func (sl *skiplist) deleteNode(x *slNode, update *[skiplistMaxLevel]*slNode) {
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.head.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

func (sl *skiplist) delete(score float64, member string) bool {
	var update [skiplistMaxLevel]*slNode
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && slLess(score, member, x.level[i].forward) {
			x = x.level[i].forward
		}
		update[i] = x
	}
	x = x.level[0].forward
	if x != nil && x.score == score && x.member == member {
		sl.deleteNode(x, &update)
		return true
	}
	return false
}

// rank returns the 1-based rank of (score, member), 0 if absent.
func (sl *skiplist) rank(score float64, member string) int {
	r := 0
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil &&
			(slLess(score, member, x.level[i].forward) ||
				(x.level[i].forward.score == score && x.level[i].forward.member == member)) {
			r += x.level[i].span
			x = x.level[i].forward
		}
		if x != sl.head && x.member == member {
			return r
		}
	}
	return 0
}

// byRank returns the node at 1-based rank.
func (sl *skiplist) byRank(rank int) *slNode {
	traversed := 0
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= rank {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == rank {
			return x
		}
	}
	return nil
}

// firstWhere returns the first node for which beyond(n) is false, given
// that beyond is true for a prefix of the order ("n is before the range").
func (sl *skiplist) firstWhere(before func(n *slNode) bool) *slNode {
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && before(x.level[i].forward) {
			x = x.level[i].forward
		}
	}
	return x.level[0].forward
}

// lastWhere returns the last node for which notAfter(n) holds, given that
// it holds for a prefix of the order.
func (sl *skiplist) lastWhere(notAfter func(n *slNode) bool) *slNode {
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && notAfter(x.level[i].forward) {
			x = x.level[i].forward
		}
	}
	if x == sl.head {
		return nil
	}
	return x
}
