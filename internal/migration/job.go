package migration

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Operation is a job's direction.
type Operation string

// Job directions as GETSLOTMIGRATIONS names them.
const (
	Export Operation = "EXPORT"
	Import Operation = "IMPORT"
)

// State is a job's state; the names are Valkey's.
type State string

// Export states.
const (
	StateConnecting       State = "connecting"
	StateSendingAuth      State = "sending-auth-command"
	StateReadingAuth      State = "reading-auth-response"
	StateSendingEstablish State = "sending-establish-command"
	StateReadingEstablish State = "reading-establish-response"
	StateWaitingSnapshot  State = "waiting-to-snapshot"
	StateSnapshotting     State = "snapshotting"
	StateReplicating      State = "replicating"
	StateWaitingPause     State = "waiting-to-pause"
	StateFailoverPaused   State = "failover-paused"
	StateFailoverGranted  State = "failover-granted"
)

// Import states.
const (
	StateWaitingAck         State = "waiting-for-ack"
	StateReceivingSnapshot  State = "receiving-snapshot"
	StateWaitingPaused      State = "waiting-for-paused"
	StateFailoverRequested  State = "failover-requested"
	StateImportGranted      State = "failover-granted"
	StateCleaningUp         State = "cleaning-up"
	StateOccurringOnPrimary State = "occurring-on-primary"
)

// Terminal states.
const (
	StateSuccess   State = "success"
	StateFailed    State = "failed"
	StateCancelled State = "cancelled"
)

// Terminal reports whether s ends a job.
func (s State) Terminal() bool { return s == StateSuccess || s == StateFailed || s == StateCancelled }

// Messages, exactly as Valkey words them.
const (
	MsgConnLostTarget  = "Connection lost to target. Check CLUSTER GETSLOTMIGRATIONS on the target node for more information."
	MsgConnLostSource  = "Connection lost to source. Check CLUSTER GETSLOTMIGRATIONS on the source node for more information."
	MsgTimeout         = "Timed out after too long with no interaction"
	MsgPauseTimeout    = "Timed out before streaming completed"
	MsgUnpausedEarly   = "Unpaused before failover completed"
	MsgWriteLossRisk   = "Unpaused before migration completed (migration may have succeeded with lost writes)"
	MsgNotOwnedMyself  = "Slots are no longer owned by myself"
	MsgNotOwnedSource  = "Slots are no longer owned by source node"
	MsgAssignedMyself  = "Slots were unexpectedly assigned to myself during import"
	MsgFlushed         = "Data was flushed"
	MsgOOM             = "Ran out of memory (OOM) during slot import"
	MsgFailoverImport  = "A failover occurred during slot import"
	MsgBufferOverrun   = "Client output buffer limit reached"
	MsgSnapshotFailed  = "Failed to perform snapshot"
	MsgProcessFailed   = "Failed to process command during slot migration. Check logs for more information"
	MsgUnknownSyncSlot = "Unknown SYNCSLOTS subcommand used"
)

// Range is an inclusive slot range.
type Range struct{ Start, End int }

// FormatRanges renders ranges as GETSLOTMIGRATIONS does: "0-10 20-20".
func FormatRanges(rs []Range) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%d-%d", r.Start, r.End)
	}
	return strings.Join(parts, " ")
}

// Slots expands ranges into an ascending list of slots.
func Slots(rs []Range) []int {
	var out []int
	for _, r := range rs {
		for s := r.Start; s <= r.End; s++ {
			out = append(out, s)
		}
	}
	sortInts(out)
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j-1] > a[j]; j-- {
			a[j-1], a[j] = a[j], a[j-1]
		}
	}
}

// newName returns a random 40-hex-character job name.
func newName() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Job is one export or import. Its fields after creation are guarded by mu.
type Job struct {
	Name     string
	Op       Operation
	Ranges   []Range
	Source   string // node ids ("" on tracking entries)
	Target   string
	Tracking bool // a replica's view of its primary's import (or a demoted primary's: set under Manager.mu and mu)
	Created  time.Time

	mu         sync.Mutex
	state      State
	message    string
	updated    time.Time
	lastAck    time.Time
	progress   Progress
	pauseStart time.Time
	done       chan struct{} // closed when the job reaches a terminal state
}

// Progress is what Shoal reports beyond Valkey's fields.
type Progress struct {
	Keys        int64
	Bytes       int64         // bytes sent (export) or received (import)
	PauseMicros int64         // how long writes to the slots were paused
	Buffered    int64         // bytes still queued for the target
	PeakBuffer  int64         // most bytes ever queued (the source's overhead)
	Elapsed     time.Duration // since creation, or until the end
}

func newJob(op Operation, ranges []Range, source, target string, now time.Time, st State) *Job {
	return &Job{Name: newName(), Op: op, Ranges: ranges, Source: source, Target: target,
		Created: now, state: st, updated: now, lastAck: now, done: make(chan struct{})}
}

// Info is a consistent copy of a job for GETSLOTMIGRATIONS and INFO.
type Info struct {
	Name, Source, Target, Message string
	Op                            Operation
	Ranges                        []Range
	Tracking                      bool
	State                         State
	Created, Updated, LastAck     time.Time
	Progress                      Progress
}

// Info returns a copy of the job's current state.
func (j *Job) Info(now time.Time) Info {
	j.mu.Lock()
	defer j.mu.Unlock()
	p := j.progress
	if !j.state.Terminal() {
		p.Elapsed = now.Sub(j.Created)
	}
	return Info{Name: j.Name, Source: j.Source, Target: j.Target, Message: j.message, Op: j.Op,
		Ranges: j.Ranges, Tracking: j.Tracking, State: j.state, Created: j.Created, Updated: j.updated,
		LastAck: j.lastAck, Progress: p}
}

// State returns the job's state.
func (j *Job) State() State {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state
}

// Done is closed when the job ends.
func (j *Job) Done() <-chan struct{} { return j.done }

// setState moves the job to st unless it has already ended; it reports
// whether it did.
func (j *Job) setState(st State, msg string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state.Terminal() {
		return false
	}
	j.state, j.message, j.updated = st, msg, time.Now()
	if st.Terminal() {
		j.progress.Elapsed = j.updated.Sub(j.Created)
		close(j.done)
	}
	return true
}

// transition moves from one expected state to the next; it reports false
// (and changes nothing) when the job is elsewhere.
func (j *Job) transition(from, to State) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.state != from {
		return false
	}
	j.state, j.updated = to, time.Now()
	return true
}

func (j *Job) ack(now time.Time) {
	j.mu.Lock()
	j.lastAck = now
	j.mu.Unlock()
}

func (j *Job) sinceAck(now time.Time) time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return now.Sub(j.lastAck)
}

func (j *Job) updateProgress(f func(p *Progress)) {
	j.mu.Lock()
	f(&j.progress)
	j.mu.Unlock()
}
