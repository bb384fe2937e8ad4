package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// jobStatus is one migration job as the status view shows it, merged from
// the source's and the target's GETSLOTMIGRATIONS entries (legacy open
// slots show up as jobs of kind "legacy").
type jobStatus struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"` // atomic or legacy
	Source      string `json:"source"`
	Target      string `json:"target"`
	SlotRanges  string `json:"slot_ranges"`
	State       string `json:"state"`
	TargetState string `json:"target_state,omitempty"`
	Message     string `json:"message,omitempty"`
	Created     int64  `json:"create_time,omitempty"`
	Updated     int64  `json:"last_update_time,omitempty"`
	Keys        int64  `json:"keys,omitempty"`
	Bytes       int64  `json:"bytes,omitempty"`
	Active      bool   `json:"active"`
}

// nodeAddr names a node id by its address when the manager knows it.
func (m *manager) nodeAddr(id string) string {
	if n := m.nodeByID(id); n != nil {
		return n.addr
	}
	if id == "" {
		return "?"
	}
	return id[:min(8, len(id))] + "..."
}

func (m *manager) jobStatusOf(n *cnode, e slotMigration) jobStatus {
	j := jobStatus{Name: e.Name, Kind: "atomic", SlotRanges: e.SlotRanges, State: e.State, Message: e.Message,
		Created: e.CreateTime, Updated: e.LastUpdate, Active: !e.terminal(),
		Source: m.nodeAddr(e.Source), Target: m.nodeAddr(e.Target)}
	if keys, bytes, _, ok := e.progressKeys(); ok {
		j.Keys, j.Bytes = keys, bytes
	}
	if strings.EqualFold(e.Operation, "IMPORT") {
		j.TargetState, j.State = e.State, ""
		if e.Target == "" {
			j.Target = n.addr
		}
	} else if e.Source == "" {
		j.Source = n.addr
	}
	return j
}

// collectJobs gathers every job from every primary.
func (m *manager) collectJobs() []jobStatus {
	byName := map[string]*jobStatus{}
	var order []string
	for _, n := range m.primaries() {
		entries, err := getSlotMigrations(n.conn)
		if err != nil {
			continue
		}
		for _, e := range entries {
			j := m.jobStatusOf(n, e)
			cur, ok := byName[e.Name]
			if !ok {
				byName[e.Name] = &j
				order = append(order, e.Name)
				continue
			}
			mergeJob(cur, j)
		}
	}
	out := make([]jobStatus, 0, len(order))
	for _, name := range order {
		j := byName[name]
		if j.State == "" {
			j.State = j.TargetState
		}
		j.Active = !slices.Contains([]string{"success", "failed", "cancelled"}, j.State)
		out = append(out, *j)
	}
	out = append(out, m.legacyJobs()...)
	slices.SortStableFunc(out, func(a, b jobStatus) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return int(b.Created - a.Created)
	})
	return out
}

// mergeJob combines the source's (EXPORT) and target's (IMPORT) entries.
func mergeJob(cur *jobStatus, j jobStatus) {
	if j.TargetState != "" { // the target's view
		cur.TargetState = j.TargetState
		if cur.Target == "?" {
			cur.Target = j.Target
		}
		if cur.Message == "" {
			cur.Message = j.Message
		}
		return
	}
	// The source's view leads; keep what the target said.
	targetState, target := cur.TargetState, cur.Target
	*cur = j
	cur.TargetState = targetState
	if cur.Target == "?" {
		cur.Target = target
	}
}

// legacyJobs describes slots left open by SETSLOT migrations.
func (m *manager) legacyJobs() []jobStatus {
	var out []jobStatus
	for _, n := range m.nodes {
		byTarget := map[string]*slotSet{}
		for s, id := range n.Migrating {
			if byTarget[id] == nil {
				byTarget[id] = &slotSet{}
			}
			byTarget[id][s] = true
		}
		for id, set := range byTarget {
			out = append(out, jobStatus{Name: "-", Kind: "legacy", Source: n.addr, Target: m.nodeAddr(id),
				SlotRanges: rangesString(set.ranges()), State: "migrating", Active: true})
		}
	}
	return out
}

func (a *app) clusterStatus(ctx context.Context, m *manager, co *clusterOptions, args []string) error {
	addr, err := m.hostArg(args)
	if err != nil {
		return err
	}
	for first := true; ; first = false {
		m.close()
		m.nodes, m.unreachablePrimaries = nil, 0
		if err := m.load(ctx, addr, false); err != nil {
			return err
		}
		jobs := m.collectJobs()
		m.showStatus(jobs, !first)
		active := slices.ContainsFunc(jobs, func(j jobStatus) bool { return j.Active })
		if !co.watch || !active {
			return nil
		}
		if err := sleepCtx(ctx, co.interval); err != nil {
			return err
		}
	}
}

// showStatus prints the jobs as a table (redrawn in place on a terminal)
// or as one "status" event.
func (m *manager) showStatus(jobs []jobStatus, redraw bool) {
	if m.out.jsonMode() {
		m.out.event("status", map[string]any{"jobs": jobs})
		return
	}
	var b strings.Builder
	if redraw && m.a.io.OutTTY {
		b.WriteString("\033[H\033[2J")
	} else if redraw {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s\n", time.Now().Format("2006-01-02 15:04:05"))
	if len(jobs) == 0 {
		b.WriteString("No slot migration jobs.\n")
		m.out.printf("%s", b.String())
		return
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tKIND\tSOURCE\tTARGET\tSLOTS\tSTATE\tTARGET STATE\tKEYS\tAGE\tMESSAGE")
	now := time.Now().Unix()
	for _, j := range jobs {
		name := j.Name
		if len(name) > 12 {
			name = name[:12]
		}
		age := "-"
		if j.Created > 0 {
			age = (time.Duration(now-j.Created) * time.Second).String()
		}
		keys := "-"
		if j.Keys > 0 {
			keys = fmt.Sprintf("%d (%s)", j.Keys, humanBytes(j.Bytes))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, j.Kind, j.Source, j.Target,
			j.SlotRanges, j.State, dash(j.TargetState), keys, age, j.Message)
	}
	tw.Flush()
	m.out.printf("%s", b.String())
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
