package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// numSlots is the number of hash slots in a cluster.
const numSlots = 16384

// slotSet is a set of hash slots.
type slotSet [numSlots]bool

// slotRange is an inclusive range of slots.
type slotRange struct{ Start, End int }

func (r slotRange) count() int { return r.End - r.Start + 1 }

// count returns the number of slots in the set.
func (s *slotSet) count() int {
	n := 0
	for _, b := range s {
		if b {
			n++
		}
	}
	return n
}

// ranges returns the set as ascending, maximal ranges.
func (s *slotSet) ranges() []slotRange {
	var out []slotRange
	for i := 0; i < numSlots; i++ {
		if !s[i] {
			continue
		}
		j := i
		for j+1 < numSlots && s[j+1] {
			j++
		}
		out = append(out, slotRange{i, j})
		i = j
	}
	return out
}

func (s *slotSet) addRanges(rs []slotRange) {
	for _, r := range rs {
		for i := r.Start; i <= r.End; i++ {
			s[i] = true
		}
	}
}

// rangesCount is the number of slots in rs.
func rangesCount(rs []slotRange) int {
	n := 0
	for _, r := range rs {
		n += r.count()
	}
	return n
}

// rangesString renders ranges as GETSLOTMIGRATIONS' slot_ranges field does:
// "start-end" pairs separated by spaces, single slots as "n-n".
func rangesString(rs []slotRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
	}
	return strings.Join(parts, " ")
}

// slotsListString renders ranges as valkey-cli prints a node's slots:
// "[0-5460],[5461],[5463-5470]".
func slotsListString(rs []slotRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r.Start == r.End {
			parts[i] = fmt.Sprintf("[%d]", r.Start)
		} else {
			parts[i] = fmt.Sprintf("[%d-%d]", r.Start, r.End)
		}
	}
	return strings.Join(parts, ",")
}

// compactRangesString renders ranges the way operators type them:
// "0-99,200,300-400".
func compactRangesString(rs []slotRange) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		if r.Start == r.End {
			parts[i] = strconv.Itoa(r.Start)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
		}
	}
	return strings.Join(parts, ",")
}

// parseSlotRanges parses "0-99,200 300-400": ranges or single slots
// separated by commas or spaces. Overlaps are merged; the result is sorted.
func parseSlotRanges(s string) ([]slotRange, error) {
	var set slotSet
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil, fmt.Errorf("no slots given")
	}
	for _, f := range fields {
		lo, hi, isRange := strings.Cut(f, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := parseSlot(lo)
		b, err2 := parseSlot(hi)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("invalid slot range %q", f)
		}
		if a > b {
			return nil, fmt.Errorf("invalid slot range %q: start is after end", f)
		}
		set.addRanges([]slotRange{{a, b}})
	}
	return set.ranges(), nil
}

func parseSlot(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n >= numSlots {
		return 0, fmt.Errorf("invalid slot %q", s)
	}
	return n, nil
}

// parseRangesField parses GETSLOTMIGRATIONS' slot_ranges ("0-10 12-12").
func parseRangesField(s string) []slotRange {
	var out []slotRange
	for _, f := range strings.Fields(s) {
		lo, hi, ok := strings.Cut(f, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		out = append(out, slotRange{a, b})
	}
	return out
}
