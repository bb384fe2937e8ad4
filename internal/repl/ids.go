package repl

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// zeroID is the replication id of no history (master_replid2 when unset).
var zeroID = strings.Repeat("0", 40)

// ids are a node's replication ids (Valkey's replid, replid2 and
// second_replid_offset). replid names the history the node's stream
// belongs to; after a promotion the old id stays valid as replid2 up to
// secondOffset, so the replicas that followed the old primary continue
// partially from the new one.
type ids struct {
	replid, replid2 string
	secondOffset    int64 // -1 without a replid2
}

func newIDs() ids { return ids{replid: newReplID(), replid2: zeroID, secondOffset: -1} }

func newReplID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// change starts a new history (changeReplicationId).
func (x *ids) change() { x.replid = newReplID() }

// clear2 forgets the previous history (clearReplicationId2).
func (x *ids) clear2() {
	x.replid2 = zeroID
	x.secondOffset = -1
}

// shift keeps the current history valid up to offset as replid2 and
// starts a new one (shiftReplicationId, on promotion).
func (x *ids) shift(offset int64) {
	x.replid2 = x.replid
	x.secondOffset = offset + 1
	x.change()
}

// continues reports whether a PSYNC for replid at offset (the first byte
// wanted) belongs to this node's history.
func (x *ids) continues(replid string, offset int64) bool {
	if strings.EqualFold(replid, x.replid) {
		return true
	}
	return strings.EqualFold(replid, x.replid2) && offset <= x.secondOffset
}
