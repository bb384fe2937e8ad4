package command

import (
	"strconv"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
	"github.com/shoal-db/shoal/internal/migration"
	"github.com/shoal-db/shoal/internal/slot"
)

// Atomic slot migration's operator surface (spec §1.2-§1.4):
// CLUSTER MIGRATESLOTS, CANCELSLOTMIGRATIONS and GETSLOTMIGRATIONS. The
// jobs themselves run in internal/migration.

func migrationCommands() []clusterSub {
	const admin = FlagAdmin | FlagStale
	return []clusterSub{
		{"migrateslots", -4, admin, "9.0.0", "Migrates slots to another node atomically.", clusterMigrateSlots},
		{"cancelslotmigrations", 2, admin, "9.0.0", "Cancels all slot migrations this node started.", clusterCancelSlotMigrations},
		{"getslotmigrations", 2, admin, "9.0.0", "Lists the slot migrations of this node.", clusterGetSlotMigrations},
		{"syncslots", -3, admin, "9.0.0", "Internal command navigating the atomic slot migration state machine.", clusterSyncSlots},
	}
}

// parseSlotRanges reads "start end [start end ...]" from args and returns
// the ranges and how many arguments it used; it stops at the first
// argument that is not a number. The error texts are Valkey's.
func parseSlotRanges(args [][]byte) ([]migration.Range, int, string) {
	var out []migration.Range
	i := 0
	for i < len(args) {
		start, err := strconv.Atoi(string(args[i]))
		if err != nil {
			break
		}
		if i+1 >= len(args) {
			return nil, 0, ErrMigrateNoEndSlot
		}
		end, err := strconv.Atoi(string(args[i+1]))
		if err != nil || start < 0 || start >= slot.Count || end < 0 || end >= slot.Count {
			return nil, 0, ErrMigrateBadSlot
		}
		if start > end {
			return nil, 0, ErrMigrateStartGreater(start, end)
		}
		for _, p := range out {
			if start <= p.End && p.Start <= end {
				return nil, 0, ErrMigrateRangeOverlap(start, end, p.Start, p.End)
			}
		}
		out = append(out, migration.Range{Start: start, End: end})
		i += 2
	}
	if len(out) == 0 {
		return nil, 0, ErrMigrateNoRanges
	}
	return out, i, ""
}

// parseMigrateSlots parses the SLOTSRANGE ... NODE ... blocks.
func parseMigrateSlots(c *Ctx) ([]migration.ExportSpec, string) {
	args := c.Argv[2:]
	var specs []migration.ExportSpec
	for len(args) > 0 {
		if !strings.EqualFold(string(args[0]), "slotsrange") {
			return nil, ErrSyntax
		}
		if len(args) == 1 {
			return nil, ErrWrongArgs("cluster|migrateslots")
		}
		ranges, used, msg := parseSlotRanges(args[1:])
		if msg != "" {
			return nil, msg
		}
		args = args[1+used:]
		if len(args) < 2 || !strings.EqualFold(string(args[0]), "node") {
			return nil, ErrSyntax
		}
		id := string(args[1])
		if len(id) != cluster.IDLen || !isHex(id) {
			return nil, ErrMigrateInvalidNode(id)
		}
		sp := migration.ExportSpec{Ranges: ranges, Target: id}
		args = args[2:]
		if len(args) >= 2 && strings.EqualFold(string(args[0]), "rate") {
			// Shoal extension: a per-job limit on the snapshot's speed.
			r, err := strconv.ParseInt(string(args[1]), 10, 64)
			if err != nil || r < 0 {
				return nil, ErrSyntax
			}
			sp.Rate, args = r, args[2:]
		}
		specs = append(specs, sp)
	}
	return specs, ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func clusterMigrateSlots(c *Ctx) {
	specs, msg := parseMigrateSlots(c)
	if msg == "" {
		msg = checkMigrateSlots(c.Node.Cluster.Routes(), specs)
	}
	if msg != "" {
		c.Error(msg)
		return
	}
	if err := c.Node.Migrations.StartExports(specs); err != nil {
		c.Error(migrationErrorText(err))
		return
	}
	c.W.OK()
}

// checkMigrateSlots applies the cluster-view checks, in Valkey's order,
// to every block before any job starts (all or nothing).
func checkMigrateSlots(r *cluster.Routes, specs []migration.ExportSpec) string {
	var seen [slot.Count]bool
	for _, sp := range specs {
		for _, s := range migration.Slots(sp.Ranges) {
			if seen[s] {
				return ErrMigrateOverlapJobs
			}
			seen[s] = true
		}
	}
	for _, sp := range specs {
		if !knownNode(r, sp.Target) {
			return ErrMigrateUnknownNode(sp.Target)
		}
	}
	if r.Replica {
		return ErrMigrateOnReplica
	}
	for _, sp := range specs {
		owner := int32(-2)
		for _, s := range migration.Slots(sp.Ranges) {
			o := r.Owner[s]
			switch {
			case o < 0:
				return ErrMigrateUnassigned(s)
			case owner != -2 && o != owner:
				return ErrMigrateSpansShards
			}
			owner = o
		}
		if owner != r.Myself {
			return ErrMigrateNotServed
		}
		if string(r.Nodes[r.Myself].ID) == sp.Target {
			return ErrMigrateTargetIsMe
		}
	}
	return ""
}

func knownNode(r *cluster.Routes, id string) bool {
	for _, n := range r.Nodes {
		if strings.EqualFold(string(n.ID), id) {
			return true
		}
	}
	return false
}

func clusterCancelSlotMigrations(c *Ctx) {
	if err := c.Node.Migrations.CancelExports(); err != nil {
		c.Error(migrationErrorText(err))
		return
	}
	c.W.OK()
}

// clusterGetSlotMigrations lists the jobs, newest first: Valkey's fields
// in Valkey's order, then Shoal's progress fields.
func clusterGetSlotMigrations(c *Ctx) {
	jobs := c.Node.Migrations.Jobs(time.Now())
	c.W.ArrayLen(len(jobs))
	for _, j := range jobs {
		n := 13
		if j.Tracking {
			n -= 2
		}
		c.W.MapLen(n)
		w := c.W
		kv := func(k, v string) { w.BulkString(k); w.BulkString(v) }
		ki := func(k string, v int64) { w.BulkString(k); w.Int(v) }
		kv("name", j.Name)
		kv("operation", string(j.Op))
		kv("slot_ranges", migration.FormatRanges(j.Ranges))
		if !j.Tracking {
			kv("target_node", j.Target)
			kv("source_node", j.Source)
		}
		ki("create_time", j.Created.Unix())
		ki("last_update_time", j.Updated.Unix())
		ki("last_ack_time", j.LastAck.Unix())
		kv("state", string(j.State))
		kv("message", j.Message)
		ki("cow_size", 0) // forkless: nothing is copied on write
		ki("remaining_repl_size", j.Progress.Buffered)
		kv("progress", formatProgress(j.Progress))
	}
}

// formatProgress is Shoal's progress line: keys, bytes, rate, write pause.
func formatProgress(p migration.Progress) string {
	rate := int64(0)
	if s := p.Elapsed.Seconds(); s > 0 {
		rate = int64(float64(p.Bytes) / s)
	}
	return "keys=" + strconv.FormatInt(p.Keys, 10) + " bytes=" + strconv.FormatInt(p.Bytes, 10) +
		" bytes_per_sec=" + strconv.FormatInt(rate, 10) + " elapsed_ms=" + strconv.FormatInt(p.Elapsed.Milliseconds(), 10) +
		" write_pause_us=" + strconv.FormatInt(p.PauseMicros, 10) + " peak_buffer=" + strconv.FormatInt(p.PeakBuffer, 10)
}

// writePaused returns the channel a write must wait on while a migration
// finalizes one of its slots (the caller holds the slot locks).
func (n *Node) writePaused(cmd *Command, slots []int) <-chan struct{} {
	if cmd.Flags&FlagWrite == 0 {
		return nil
	}
	if n.Repl != nil {
		if ch := n.Repl.WritesPaused(); ch != nil {
			return ch // a manual failover (repl_iface.go)
		}
	}
	if n.Migrations == nil {
		return nil
	}
	return n.Migrations.WritePaused(slots)
}

// lockUnpaused locks an EXEC's slots once no write in its queue waits on a
// migration's pause. After a wait the transaction is routed again, as a
// new EXEC would be; it reports false (the error answered, the
// transaction discarded) when it no longer belongs here.
func (n *Node) lockUnpaused(c *Ctx, queue []queued, slots []int) bool {
	for {
		n.KS.LockSlots(slots)
		var ch <-chan struct{}
		for _, q := range queue {
			if ch = n.writePaused(q.cmd, slots); ch != nil {
				break
			}
		}
		if ch == nil {
			return true
		}
		n.KS.UnlockSlots(slots)
		if !migrationWaitUnpaused(c.C, ch) {
			c.C.discardMulti() // the client left meanwhile
			return false
		}
		if n.Cluster != nil && !n.clusterRoute(c, c.Cmd) {
			c.C.discardMulti()
			return false
		}
	}
}

// debugSlotMigration is DEBUG SLOTMIGRATION PREVENT-PAUSE|PREVENT-FAILOVER
// 0|1: Valkey's switches that hold exports in a phase for tests.
func debugSlotMigration(c *Ctx) {
	on := string(c.Argv[3]) == "1"
	switch strings.ToLower(string(c.Argv[2])) {
	case "prevent-pause":
		c.Node.Migrations.PreventPause.Store(on)
	case "prevent-failover":
		c.Node.Migrations.SetPreventFailover(on)
	default:
		c.Error(ErrSubcommandSyntax("debug", c.Argv[1]))
		return
	}
	c.W.OK()
}

// infoSlotMigrations is INFO slotmigrations: counts by outcome, then one
// line per job that has not ended.
func (n *Node) infoSlotMigrations(b *infoBuf, _ *Ctx) {
	if n.Migrations == nil {
		b.int("slot_migrations_active", 0)
		return
	}
	jobs := n.Migrations.Jobs(time.Now())
	counts := map[migration.State]int64{}
	var active []migration.Info
	for _, j := range jobs {
		if j.State.Terminal() {
			counts[j.State]++
		} else {
			active = append(active, j)
		}
	}
	b.int("slot_migrations_active", int64(len(active)))
	b.int("slot_migrations_succeeded", counts[migration.StateSuccess])
	b.int("slot_migrations_failed", counts[migration.StateFailed])
	b.int("slot_migrations_cancelled", counts[migration.StateCancelled])
	for i, j := range active {
		b.str("slot_migration_"+strconv.Itoa(i), "name="+j.Name+",operation="+string(j.Op)+
			",state="+string(j.State)+",slots="+strings.ReplaceAll(migration.FormatRanges(j.Ranges), " ", "|")+
			",remaining_repl_size="+strconv.FormatInt(j.Progress.Buffered, 10)+","+
			strings.ReplaceAll(formatProgress(j.Progress), " ", ","))
	}
}

// asmBlocksSetSlot refuses legacy MIGRATING/IMPORTING on a slot that an
// atomic slot migration holds: the two paths are mutually exclusive.
func (n *Node) asmBlocksSetSlot(a cluster.SetSlotAction, s int) string {
	if n.Migrations == nil || (a != cluster.SetSlotMigrating && a != cluster.SetSlotImporting) {
		return ""
	}
	switch n.Migrations.SlotBusy(s) {
	case "import":
		return ErrSetSlotImportActive
	case "export":
		return ErrSetSlotExportActive
	}
	return ""
}
