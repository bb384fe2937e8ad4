package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// column is one column of the ALL STATS table: a header, a width, and how
// to render each row's value (nil: "---", not applicable).
type column struct {
	head  string
	width int
	cell  func(t *TypeStats, isSet bool) *float64
	prec  int
}

func f(v float64) *float64 { return &v }

// statsColumns are memtier's columns; cluster mode adds MOVED/sec and
// ASK/sec after Misses/sec, as memtier does.
func statsColumns(cluster bool) []column {
	cols := []column{
		{"Ops/sec", 12, func(t *TypeStats, _ bool) *float64 { return f(t.OpsSec) }, 2},
		{"Hits/sec", 12, func(t *TypeStats, set bool) *float64 { return unlessSet(set, t.HitsSec) }, 2},
		{"Misses/sec", 12, func(t *TypeStats, set bool) *float64 { return unlessSet(set, t.MissesSec) }, 2},
	}
	if cluster {
		cols = append(cols,
			column{"MOVED/sec", 12, func(t *TypeStats, _ bool) *float64 { return f(t.MovedSec) }, 2},
			column{"ASK/sec", 12, func(t *TypeStats, _ bool) *float64 { return f(t.AskSec) }, 2})
	}
	lat := func(head string, get func(t *TypeStats) float64) column {
		return column{head, 15, func(t *TypeStats, _ bool) *float64 {
			if t.Ops == 0 {
				return nil
			}
			return f(get(t))
		}, 5}
	}
	return append(cols,
		lat("Avg. Latency", func(t *TypeStats) float64 { return t.AvgMs }),
		lat("p50 Latency", func(t *TypeStats) float64 { return t.P50Ms }),
		lat("p99 Latency", func(t *TypeStats) float64 { return t.P99Ms }),
		lat("p99.9 Latency", func(t *TypeStats) float64 { return t.P999Ms }),
		column{"KB/sec", 12, func(t *TypeStats, _ bool) *float64 { return f(t.KBSec) }, 2})
}

func unlessSet(set bool, v float64) *float64 {
	if set {
		return nil
	}
	return f(v)
}

// typeWidth is the Type column ("Totals" and a space, padded).
const typeWidth = 7

// WriteSummary prints the run like memtier_benchmark: the run shape, the
// ALL STATS table (Sets, Gets, Totals; latencies in ms) and, when there
// were any, redirections and errors.
func WriteSummary(w io.Writer, r *Result) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-10d%s\n", r.Threads, "Threads")
	fmt.Fprintf(&sb, "%-10d%s\n", r.Clients, "Connections per thread")
	if r.TestTime > 0 {
		fmt.Fprintf(&sb, "%-10d%s\n", int64(r.TestTime), "Seconds")
	} else {
		fmt.Fprintf(&sb, "%-10d%s\n", r.Requests, "Requests per client")
	}
	cols := statsColumns(r.Cluster)
	width := typeWidth + 1
	for _, c := range cols {
		width += c.width + 1
	}
	sb.WriteString("\n\nALL STATS\n")
	sb.WriteString(strings.Repeat("=", width) + "\n")
	fmt.Fprintf(&sb, "%-*s ", typeWidth, "Type")
	for _, c := range cols {
		fmt.Fprintf(&sb, "%*s ", c.width, c.head)
	}
	sb.WriteString("\n" + strings.Repeat("-", width) + "\n")
	rows := []struct {
		name string
		t    *TypeStats
		set  bool
	}{{"Sets", &r.Sets, true}, {"Gets", &r.Gets, false}, {"Totals", &r.Totals, false}}
	for _, row := range rows {
		fmt.Fprintf(&sb, "%-*s ", typeWidth, row.name)
		for _, c := range cols {
			if v := c.cell(row.t, row.set); v != nil {
				fmt.Fprintf(&sb, "%*.*f ", c.width, c.prec, *v)
			} else {
				fmt.Fprintf(&sb, "%*s ", c.width, "---")
			}
		}
		sb.WriteString("\n")
	}
	writeRedirections(&sb, r)
	_, err := io.WriteString(w, sb.String())
	return err
}

// writeRedirections adds what memtier does not print but a migration
// experiment needs: redirection totals and the errors by message.
func writeRedirections(sb *strings.Builder, r *Result) {
	t := &r.Totals
	if r.Cluster || t.Moved+t.Ask+t.TryAgain > 0 {
		fmt.Fprintf(sb, "\nRedirections: %d MOVED, %d ASK, %d TRYAGAIN; %d topology refreshes\n",
			t.Moved, t.Ask, t.TryAgain, r.TopologyRefreshes)
	}
	if r.Errors == 0 {
		return
	}
	fmt.Fprintf(sb, "\nErrors: %d\n", r.Errors)
	msgs := make([]string, 0, len(r.ErrorMessages))
	for m := range r.ErrorMessages {
		msgs = append(msgs, m)
	}
	sort.Slice(msgs, func(i, j int) bool { return r.ErrorMessages[msgs[i]] > r.ErrorMessages[msgs[j]] })
	for _, m := range msgs {
		fmt.Fprintf(sb, "%12d  %s\n", r.ErrorMessages[m], m)
	}
}

// WriteJSON writes the summary (without the timeline, which is in the
// CSV) as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
