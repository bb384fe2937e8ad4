package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// slotMigration is one entry of CLUSTER GETSLOTMIGRATIONS (spec §1.4).
// Integer fields beyond Valkey's (Shoal reports progress per job) are kept
// in Ints.
type slotMigration struct {
	Name       string
	Operation  string // EXPORT or IMPORT
	SlotRanges string
	Target     string
	Source     string
	State      string
	Message    string
	CreateTime int64
	LastUpdate int64
	Ints       map[string]int64
	// Progress holds Shoal's "progress" field ("keys=1 bytes=2 ..."),
	// parsed into numbers.
	Progress map[string]int64
}

// terminal reports whether the job has ended.
func (e *slotMigration) terminal() bool {
	switch e.State {
	case "success", "failed", "cancelled":
		return true
	}
	return false
}

// progressKeys returns the keys (and bytes, and the total of keys) a job
// reports, under the names Shoal uses or a plausible alias; ok is false
// when the server reports no progress (Valkey 9.0).
func (e *slotMigration) progressKeys() (keys, bytes, total int64, ok bool) {
	pick := func(names ...string) (int64, bool) {
		for _, n := range names {
			if v, ok := e.Ints[n]; ok {
				return v, true
			}
		}
		return 0, false
	}
	total, hasTotal := pick("keys_total", "total_keys")
	if !hasTotal {
		total = -1
	}
	if k, has := e.Progress["keys"]; has {
		return k, e.Progress["bytes"], total, true
	}
	keys, ok = pick("keys_sent", "keys_migrated", "keys")
	bytes, _ = pick("bytes_sent", "bytes_migrated", "bytes")
	return keys, bytes, total, ok
}

// parseProgressField parses "keys=1 bytes=2 write_pause_us=3".
func parseProgressField(s string) map[string]int64 {
	out := map[string]int64{}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, "="); ok {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[k] = n
			}
		}
	}
	return out
}

// parseSlotMigrations parses the GETSLOTMIGRATIONS reply: an array of maps
// (RESP3) or of flat key/value arrays (RESP2).
func parseSlotMigrations(r *resp.Reply) ([]slotMigration, error) {
	if r.Type != resp.TypeArray && r.Type != resp.TypeSet {
		return nil, fmt.Errorf("CLUSTER GETSLOTMIGRATIONS: expected an array, got %s", r)
	}
	out := make([]slotMigration, 0, len(r.Elems))
	for _, el := range r.Elems {
		if el.Type != resp.TypeArray && el.Type != resp.TypeMap {
			return nil, fmt.Errorf("CLUSTER GETSLOTMIGRATIONS: expected a map per job, got %s", el)
		}
		e := slotMigration{Ints: map[string]int64{}}
		for i := 0; i+1 < len(el.Elems); i += 2 {
			k, v := strings.ToLower(el.Elems[i].Text()), el.Elems[i+1]
			if v.Type == resp.TypeInt {
				e.Ints[k] = v.Int
			}
			switch k {
			case "name":
				e.Name = v.Text()
			case "operation":
				e.Operation = v.Text()
			case "slot_ranges":
				e.SlotRanges = v.Text()
			case "target_node":
				e.Target = v.Text()
			case "source_node":
				e.Source = v.Text()
			case "state":
				e.State = strings.ToLower(v.Text())
			case "message":
				e.Message = v.Text()
			case "create_time":
				e.CreateTime = v.Int
			case "last_update_time":
				e.LastUpdate = v.Int
			case "progress":
				e.Progress = parseProgressField(v.Text())
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// getSlotMigrations runs CLUSTER GETSLOTMIGRATIONS on c.
func getSlotMigrations(c *Conn) ([]slotMigration, error) {
	r, err := c.Call("CLUSTER", "GETSLOTMIGRATIONS")
	if err != nil {
		if IsReplyError(err, "ERR unknown subcommand") || IsReplyError(err, "ERR Unknown subcommand") {
			return nil, fmt.Errorf("%s does not support atomic slot migration (CLUSTER GETSLOTMIGRATIONS): use --legacy", c.Addr())
		}
		return nil, err
	}
	return parseSlotMigrations(r)
}

// migrateSlotsArgs is CLUSTER MIGRATESLOTS SLOTSRANGE s e ... NODE id,
// with Shoal's RATE bytes/s when rate > 0.
func migrateSlotsArgs(ranges []slotRange, target string, rate int64) []string {
	args := []string{"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE"}
	for _, r := range ranges {
		args = append(args, strconv.Itoa(r.Start), strconv.Itoa(r.End))
	}
	args = append(args, "NODE", target)
	if rate > 0 {
		args = append(args, "RATE", strconv.FormatInt(rate, 10))
	}
	return args
}

// canceller sends CLUSTER CANCELSLOTMIGRATIONS at most once per source.
type canceller struct {
	m    *manager
	mu   sync.Mutex
	sent map[string]bool
}

func newCanceller(m *manager) *canceller { return &canceller{m: m, sent: map[string]bool{}} }

func (c *canceller) cancel(conn *Conn, src *cnode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent[src.ID] {
		return
	}
	c.sent[src.ID] = true
	if err := conn.OK("CLUSTER", "CANCELSLOTMIGRATIONS"); err != nil && !IsReplyError(err, "ERR No migrations ongoing") {
		c.m.out.errf("[ERR] CLUSTER CANCELSLOTMIGRATIONS on %s: %v", src.addr, err)
		return
	}
	c.m.out.warnf("*** Cancelled the slot migrations of %s", src.addr)
}

// atomicJob runs one MIGRATESLOTS job and polls it to its end.
func (m *manager) atomicJob(ctx context.Context, p *progress, j moveJob, o moveOptions, c *canceller) error {
	conn, err := m.dial(j.src.addr)
	if err != nil {
		jp := p.add(j.src, j.dst, j.ranges, "atomic", -1)
		jp.finish(err)
		return err
	}
	defer conn.Close()
	dbs := databases(conn)
	total, err := countKeys(conn, j.ranges, dbs)
	if err != nil {
		total = -1
	}
	jp := p.add(j.src, j.dst, j.ranges, "atomic", total)
	err = m.atomicRun(ctx, conn, jp, j, o, c, dbs)
	jp.finish(err)
	return err
}

func (m *manager) atomicRun(ctx context.Context, conn *Conn, jp *jobProgress, j moveJob, o moveOptions,
	c *canceller, dbs int) error {
	before, err := getSlotMigrations(conn)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range before {
		seen[e.Name] = true
	}
	if err := conn.OK(migrateSlotsArgs(j.ranges, j.dst.ID, o.rate)...); err != nil {
		return fmt.Errorf("CLUSTER MIGRATESLOTS on %s: %w", j.src.addr, err)
	}
	w := &asmWatch{m: m, conn: conn, j: j, jp: jp, seen: seen, want: rangesString(j.ranges), dbs: dbs}
	defer w.close()
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for polls := 0; ; polls++ {
		select {
		case <-ctx.Done():
			c.cancel(conn, j.src)
			w.awaitEnd(10 * time.Second)
			return ctx.Err()
		case <-tick.C:
		}
		e, err := w.poll(polls%5 == 0)
		if err != nil {
			return err
		}
		if e == nil || !e.terminal() {
			continue
		}
		if pause, ok := e.Progress["write_pause_us"]; ok {
			jp.writePause.Store(pause)
		}
		switch e.State {
		case "success":
			if _, _, _, reported := e.progressKeys(); !reported {
				jp.keys.Store(max(jp.keys.Load(), jp.totalKeys.Load()))
			}
			return nil
		case "cancelled":
			return errors.New("slot migration was cancelled")
		}
		return fmt.Errorf("slot migration failed: %s", e.Message)
	}
}

// asmWatch follows one job through GETSLOTMIGRATIONS on its source.
type asmWatch struct {
	m     *manager
	conn  *Conn
	j     moveJob
	jp    *jobProgress
	seen  map[string]bool // jobs that existed before ours
	name  string          // our job, once found
	want  string          // our slot_ranges
	dbs   int
	dconn *Conn // target connection for counting keys
}

func (w *asmWatch) close() {
	if w.dconn != nil {
		w.dconn.Close()
	}
}

// find returns our entry: a new EXPORT to our target with our ranges.
func (w *asmWatch) find(entries []slotMigration) *slotMigration {
	for i := range entries {
		e := &entries[i]
		if w.name != "" {
			if e.Name == w.name {
				return e
			}
			continue
		}
		if !w.seen[e.Name] && e.SlotRanges == w.want && (e.Target == "" || e.Target == w.j.dst.ID) &&
			(e.Operation == "" || strings.EqualFold(e.Operation, "EXPORT")) {
			w.name = e.Name
			return e
		}
	}
	return nil
}

// poll reads the job's state and updates the progress counters; count
// asks for a key count on the target when the job reports none.
func (w *asmWatch) poll(count bool) (*slotMigration, error) {
	entries, err := getSlotMigrations(w.conn)
	if err != nil {
		return nil, err
	}
	e := w.find(entries)
	if e == nil {
		return nil, errors.New("slot migration not found in CLUSTER GETSLOTMIGRATIONS")
	}
	if keys, bytes, total, ok := e.progressKeys(); ok {
		w.jp.keys.Store(keys)
		w.jp.bytes.Store(bytes)
		if total >= 0 {
			w.jp.totalKeys.Store(total)
		}
	} else if count && !e.terminal() {
		w.countTarget()
	}
	w.jp.update()
	return e, nil
}

// countTarget counts the job's keys already on the target: CLUSTER
// COUNTKEYSINSLOT counts keys being imported.
func (w *asmWatch) countTarget() {
	if w.dconn == nil {
		c, err := w.m.dial(w.j.dst.addr)
		if err != nil {
			return
		}
		w.dconn = c
	}
	if n, err := countKeys(w.dconn, w.j.ranges, w.dbs); err == nil {
		w.jp.keys.Store(n)
	}
}

// awaitEnd polls until the job has ended (after a cancel) or d passes.
func (w *asmWatch) awaitEnd(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		e, err := w.poll(false)
		if err != nil || e.terminal() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
