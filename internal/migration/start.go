package migration

import (
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/cluster"
)

// ExportSpec is one SLOTSRANGE ... NODE block of CLUSTER MIGRATESLOTS.
type ExportSpec struct {
	Ranges []Range
	Target string
	// Rate limits the snapshot to bytes per second (0: unlimited), a
	// Shoal extension (RATE after NODE).
	Rate int64
}

// ErrorCode classifies a refused request; the command layer words it.
type ErrorCode int

// Refusals of StartExports, CancelExports and Establish.
const (
	ErrAlreadyMigrating ErrorCode = iota + 1 // Slot is in an active export
	ErrManuallyMigrating
	ErrManuallyImporting
	ErrNoMigrations
	ErrAlreadyImporting // Slot is being imported by another job
	ErrSourceUnknown
	ErrSourceIsMe
	ErrOwnershipDisagree
	ErrNotPrimary
	ErrNoSuchJob
	ErrNoRoom // the target's maxmemory cannot take the slots (Shoal)
)

// Error is a refusal with its subject.
type Error struct {
	Code       ErrorCode
	Slot       int
	Need, Free int64 // ErrNoRoom
}

func (e *Error) Error() string { return "slot migration refused: code " + strconv.Itoa(int(e.Code)) }

// StartExports starts one export job per spec, or none: every slot is
// checked against the active exports and imports and the legacy markers
// first. The caller has validated syntax, ownership and targets.
func (m *Manager) StartExports(specs []ExportSpec) error {
	r := m.env.Routes()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, sp := range specs {
		for _, s := range Slots(sp.Ranges) {
			switch {
			case m.exportingLocked(s):
				return &Error{Code: ErrAlreadyMigrating, Slot: s}
			case hasMarker(r.Migrating, s):
				return &Error{Code: ErrManuallyMigrating, Slot: s}
			case hasMarker(r.Importing, s):
				return &Error{Code: ErrManuallyImporting, Slot: s}
			}
		}
	}
	me := string(r.Nodes[r.Myself].ID)
	now := time.Now()
	lim, _ := m.env.Config.OutputBufferLimit("replica")
	hard := int64(lim.Hard)
	for _, sp := range specs {
		j := newJob(Export, sp.Ranges, me, sp.Target, now, StateConnecting)
		slots := Slots(sp.Ranges)
		e := &exportJob{m: m, job: j, slots: slots, out: newOutBuf(slots, hard),
			ctrl: make(chan string, 4), aborted: make(chan struct{}), rate: sp.Rate}
		m.exports[j] = e
		m.addLog(j)
		m.wg.Add(1)
		go e.run()
	}
	return nil
}

func hasMarker(m map[int]int32, s int) bool { _, ok := m[s]; return ok }

// CancelExports cancels every active export (CLUSTER CANCELSLOTMIGRATIONS).
func (m *Manager) CancelExports() error {
	m.mu.Lock()
	var list []*exportJob
	for _, e := range m.exports {
		list = append(list, e)
	}
	m.mu.Unlock()
	if len(list) == 0 {
		return &Error{Code: ErrNoMigrations}
	}
	for _, e := range list {
		e.abort(StateCancelled, "")
	}
	return nil
}

// nodeAddr is a node's client address from the routing snapshot.
func (m *Manager) nodeAddr(id string) (string, bool) {
	r := m.env.Routes()
	for _, n := range r.Nodes {
		if string(n.ID) == id {
			return n.IP + ":" + strconv.Itoa(n.Port), n.Port > 0
		}
	}
	return "", false
}

// ownsAll reports whether this node still owns every slot.
func (m *Manager) ownsAll(slots []int) bool {
	r := m.env.Routes()
	for _, s := range slots {
		if r.Owner[s] != r.Myself {
			return false
		}
	}
	return true
}

// targetOwnsAll reports whether node id owns every slot in our view.
func (m *Manager) targetOwnsAll(id string, slots []int) bool {
	r := m.env.Routes()
	for _, s := range slots {
		o := r.Owner[s]
		if o < 0 || string(r.Nodes[o].ID) != id {
			return false
		}
	}
	return true
}

// ownerOf is the id of slot s's owner, or "".
func ownerOf(r *cluster.Routes, s int) string {
	if o := r.Owner[s]; o >= 0 {
		return string(r.Nodes[o].ID)
	}
	return ""
}
