package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// legacyMover moves slots one at a time the way redis-cli --cluster does:
// SETSLOT IMPORTING on the target, SETSLOT MIGRATING on the source,
// GETKEYSINSLOT + MIGRATE batches in every database, then SETSLOT NODE on
// the target, the source and every other primary.
type legacyMover struct {
	m    *manager
	o    moveOptions
	j    moveJob
	jp   *jobProgress
	src  *Conn // the job's own connections
	dst  *Conn
	dbs  int
	auth []string // MIGRATE's AUTH/AUTH2 arguments
}

// legacyJob moves one job's slots. A cancelled ctx stops it after the slot
// in progress, so no slot is left open.
func (m *manager) legacyJob(ctx context.Context, p *progress, j moveJob, o moveOptions) error {
	lm := &legacyMover{m: m, o: o, j: j}
	err := lm.open()
	if err != nil {
		jp := p.add(j.src, j.dst, j.ranges, "legacy", -1)
		jp.finish(err)
		return err
	}
	defer lm.close()
	total := int64(-1)
	if !o.cold {
		if n, err := countKeys(lm.src, j.ranges, lm.dbs); err == nil {
			total = n
		}
	}
	lm.jp = p.add(j.src, j.dst, j.ranges, "legacy", total)
	err = lm.run(ctx)
	lm.jp.finish(err)
	return err
}

func (lm *legacyMover) open() error {
	var err error
	if lm.src, err = lm.m.dial(lm.j.src.addr); err != nil {
		return err
	}
	if lm.dst, err = lm.m.dial(lm.j.dst.addr); err != nil {
		lm.src.Close()
		return err
	}
	lm.dbs = databases(lm.src)
	if o := lm.m.connOpts; o.Password != "" {
		lm.auth = []string{"AUTH", o.Password}
		if o.User != "" {
			lm.auth = []string{"AUTH2", o.User, o.Password}
		}
	}
	return nil
}

func (lm *legacyMover) close() {
	lm.src.Close()
	lm.dst.Close()
}

func (lm *legacyMover) run(ctx context.Context) error {
	for _, r := range lm.j.ranges {
		for s := r.Start; s <= r.End; s++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := lm.moveSlot(s); err != nil {
				return fmt.Errorf("moving slot %d: %w", s, err)
			}
			lm.jp.slots.Add(1)
			lm.jp.update()
		}
	}
	return nil
}

// moveSlot is valkey-cli's clusterManagerMoveSlot.
func (lm *legacyMover) moveSlot(s int) error {
	slot := strconv.Itoa(s)
	if !lm.o.cold {
		if err := lm.dst.OK("CLUSTER", "SETSLOT", slot, "IMPORTING", lm.j.src.ID); err != nil {
			return fmt.Errorf("SETSLOT IMPORTING on %s: %w", lm.j.dst.addr, err)
		}
		if err := lm.src.OK("CLUSTER", "SETSLOT", slot, "MIGRATING", lm.j.dst.ID); err != nil {
			return fmt.Errorf("SETSLOT MIGRATING on %s: %w", lm.j.src.addr, err)
		}
	}
	for db := 0; db < lm.dbs; db++ {
		if err := lm.moveKeys(slot, db); err != nil {
			return err
		}
	}
	if err := lm.src.Select(0); err != nil {
		return err
	}
	if lm.o.cold {
		return nil
	}
	return lm.assign(slot)
}

// assign hands the slot to the target: the target first (if the target
// crashed after the source had given the slot up, the slot would have no
// owner), then the source, then every other primary.
func (lm *legacyMover) assign(slot string) error {
	if err := lm.dst.OK("CLUSTER", "SETSLOT", slot, "NODE", lm.j.dst.ID); err != nil {
		return fmt.Errorf("SETSLOT NODE on %s: %w", lm.j.dst.addr, err)
	}
	if err := lm.src.OK("CLUSTER", "SETSLOT", slot, "NODE", lm.j.dst.ID); err != nil && !acceptableSetSlotError(err) {
		return fmt.Errorf("SETSLOT NODE on %s: %w", lm.j.src.addr, err)
	}
	for _, n := range lm.m.primaries() {
		if n.ID == lm.j.src.ID || n.ID == lm.j.dst.ID {
			continue
		}
		// The manager's own connections are used by one job at a time:
		// legacy jobs run sequentially.
		if err := n.conn.OK("CLUSTER", "SETSLOT", slot, "NODE", lm.j.dst.ID); err != nil {
			return fmt.Errorf("SETSLOT NODE on %s: %w", n.addr, err)
		}
	}
	return nil
}

// acceptableSetSlotError: the source just lost its last slot and turned
// into a replica, or a replica-acknowledgement wait was interrupted; the
// configuration propagates anyway.
func acceptableSetSlotError(err error) bool {
	for _, p := range []string{"ERR Please use SETSLOT only with masters.",
		"ERR Please use SETSLOT only with primaries.", "UNBLOCKED", "NOREPLICAS"} {
		if IsReplyError(err, p) {
			return true
		}
	}
	return false
}

// moveKeys migrates every key of the slot in one database, a batch at a
// time, until GETKEYSINSLOT returns nothing.
func (lm *legacyMover) moveKeys(slot string, db int) error {
	if err := lm.src.Select(db); err != nil {
		return err
	}
	for {
		r, err := lm.src.Call("CLUSTER", "GETKEYSINSLOT", slot, strconv.Itoa(lm.o.pipeline))
		if err != nil {
			return fmt.Errorf("GETKEYSINSLOT on %s: %w", lm.j.src.addr, err)
		}
		if len(r.Elems) == 0 {
			return nil
		}
		keys := make([]string, len(r.Elems))
		for i, e := range r.Elems {
			keys[i] = e.Str
		}
		if err := lm.migrateBatch(keys, db); err != nil {
			return err
		}
	}
}

// migrateBatch sends one MIGRATE ... KEYS. The MEMORY USAGE of each key is
// pipelined in the same write, so counting bytes costs no round trip.
func (lm *legacyMover) migrateBatch(keys []string, db int) error {
	var cmds [][]string
	if !lm.o.cold {
		for _, k := range keys {
			cmds = append(cmds, []string{"MEMORY", "USAGE", k, "SAMPLES", "0"})
		}
	}
	cmds = append(cmds, lm.migrateArgs(keys, db, lm.o.replace))
	replies, err := lm.src.Pipeline(cmds)
	if err != nil {
		return err
	}
	mr := replies[len(replies)-1]
	if mr.IsError() {
		if mr, err = lm.retryBusy(keys, db, mr); err != nil {
			return err
		}
	}
	var bytes int64
	for _, r := range replies[:len(replies)-1] {
		if r.Type == resp.TypeInt {
			bytes += r.Int
		}
	}
	lm.jp.keys.Add(int64(len(keys)))
	lm.jp.bytes.Add(bytes)
	lm.jp.update()
	return nil
}

func (lm *legacyMover) migrateArgs(keys []string, db int, replace bool) []string {
	args := []string{"MIGRATE", lm.j.dst.Host, strconv.Itoa(lm.j.dst.Port), "", strconv.Itoa(db),
		strconv.Itoa(lm.o.timeout)}
	if replace {
		args = append(args, "REPLACE")
	}
	args = append(args, lm.auth...)
	return append(append(args, "KEYS"), keys...)
}

// retryBusy handles a MIGRATE error. BUSYKEY (the target already has a
// key) is retried with REPLACE when --cluster-replace was given or when
// both nodes hold the same values; any other error is returned.
func (lm *legacyMover) retryBusy(keys []string, db int, mr *resp.Reply) (*resp.Reply, error) {
	if !strings.Contains(mr.Str, "BUSYKEY") {
		return nil, fmt.Errorf("MIGRATE on %s: %s", lm.j.src.addr, mr.Str)
	}
	lm.m.out.warnf("*** Target key exists")
	if !lm.o.replace {
		lm.m.out.warnf("*** Checking key values on both nodes...")
		diffs, err := lm.compareValues(keys, db)
		if err != nil {
			return nil, err
		}
		if len(diffs) > 0 {
			lm.m.out.errf("*** Found %d key(s) in both source node and target node having different values.\n"+
				"    Source node: %s\n    Target node: %s\n    Keys(s):\n    - %s\n"+
				"Please fix the above key(s) manually and try again or relaunch the command\n"+
				"with --cluster-replace option to force key overriding.",
				len(diffs), lm.j.src.addr, lm.j.dst.addr, strings.Join(diffs, "\n    - "))
			return nil, errors.New("keys with different values on both nodes")
		}
	}
	lm.m.out.warnf("*** Replacing target keys...")
	r, err := lm.src.Do(lm.migrateArgs(keys, db, true)...)
	if err != nil {
		return nil, err
	}
	if r.IsError() {
		return nil, fmt.Errorf("MIGRATE on %s: %s", lm.j.src.addr, r.Str)
	}
	return r, nil
}

// compareValues returns the keys whose values differ between source and
// target (DEBUG DIGEST-VALUE, or DUMP payloads where DEBUG is refused).
// Keys missing on either side do not count.
func (lm *legacyMover) compareValues(keys []string, db int) ([]string, error) {
	if err := lm.dst.Select(db); err != nil {
		return nil, err
	}
	defer lm.dst.Select(0)
	a, errA := valueDigests(lm.src, keys)
	b, errB := valueDigests(lm.dst, keys)
	if errA != nil || errB != nil {
		return nil, fmt.Errorf("cannot compare values (%v, %v): relaunch with --cluster-replace to force key overriding",
			errA, errB)
	}
	var diffs []string
	for i, k := range keys {
		if a[i] != "" && b[i] != "" && a[i] != b[i] {
			diffs = append(diffs, k)
		}
	}
	return diffs, nil
}

// valueDigests returns a fingerprint per key ("" when the key is absent).
// DUMPs are sent after ASKING: the slot is open on both nodes.
func valueDigests(c *Conn, keys []string) ([]string, error) {
	r, err := c.Call(append([]string{"DEBUG", "DIGEST-VALUE"}, keys...)...)
	if err == nil && len(r.Elems) == len(keys) {
		out := make([]string, len(keys))
		for i, e := range r.Elems {
			if s := e.Text(); s != strings.Repeat("0", 40) {
				out[i] = s
			}
		}
		return out, nil
	}
	// No DEBUG DIGEST-VALUE: compare DUMP payloads (same value, same bytes).
	var cmds [][]string
	for _, k := range keys {
		cmds = append(cmds, []string{"ASKING"}, []string{"DUMP", k})
	}
	replies, err := c.Pipeline(cmds)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i := range keys {
		d := replies[2*i+1]
		if d.IsError() {
			return nil, errors.New(d.Str)
		}
		if !d.IsNull() {
			out[i] = d.Str
		}
	}
	return out, nil
}
