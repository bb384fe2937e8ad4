package cluster

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/shoal-db/shoal/internal/slot"
)

// Meet starts a handshake with the node at ip:port (bus port cport), as
// CLUSTER MEET. A handshake already in progress for that address is not an
// error. The link is dialed at once.
func (s *State) Meet(now time.Time, ip string, port, cport int) (Output, error) {
	s.begin(now)
	addr, err := netip.ParseAddr(ip)
	if err != nil || addr.Zone() != "" || port <= 0 || port > 65535 || cport <= 0 || cport > 65535 {
		s.out = Output{}
		return Output{}, &Error{Code: ErrInvalidAddress, Addr: [2]string{ip, strconv.Itoa(port)}}
	}
	norm := addr.String()
	for _, n := range s.sorted {
		if n.inHandshake() && n.ip == norm && n.port == port && n.cport == cport {
			return s.finish(), nil
		}
	}
	n := s.createNode("", FlagHandshake|FlagMeet)
	n.ip, n.port, n.cport = norm, port, cport
	s.addNode(n)
	s.logf("Cluster meet %s:%d", norm, port)
	s.cronReconnect(n)
	return s.finish(), nil
}

func checkSlot(sl int) error {
	if sl < 0 || sl >= slot.Count {
		return &Error{Code: ErrInvalidSlot, Slot: sl}
	}
	return nil
}

// AddSlots assigns slots to myself (CLUSTER ADDSLOTS). Nothing changes
// unless every slot is valid, unassigned and named once.
func (s *State) AddSlots(now time.Time, slots []int) (Output, error) {
	return s.AddSlotsRanges(now, singleRanges(slots))
}

// DelSlots unassigns slots (CLUSTER DELSLOTS), with the same all-or-nothing
// checks.
func (s *State) DelSlots(now time.Time, slots []int) (Output, error) {
	return s.DelSlotsRanges(now, singleRanges(slots))
}

func singleRanges(slots []int) []Range {
	r := make([]Range, len(slots))
	for i, sl := range slots {
		r[i] = Range{sl, sl}
	}
	return r
}

// AddSlotsRanges is CLUSTER ADDSLOTSRANGE.
func (s *State) AddSlotsRanges(now time.Time, ranges []Range) (Output, error) {
	return s.updateSlots(now, ranges, false)
}

// DelSlotsRanges is CLUSTER DELSLOTSRANGE.
func (s *State) DelSlotsRanges(now time.Time, ranges []Range) (Output, error) {
	return s.updateSlots(now, ranges, true)
}

func (s *State) updateSlots(now time.Time, ranges []Range, del bool) (Output, error) {
	for _, r := range ranges {
		if err := checkSlot(r.Start); err != nil {
			return Output{}, err
		}
		if err := checkSlot(r.End); err != nil {
			return Output{}, err
		}
	}
	var seen SlotSet
	for _, r := range ranges {
		if r.Start > r.End {
			return Output{}, &Error{Code: ErrSlotRangeOrder, Slot: r.Start, End: r.End}
		}
		for sl := r.Start; sl <= r.End; sl++ {
			if del && s.slots[sl] == nil {
				return Output{}, &Error{Code: ErrSlotUnassigned, Slot: sl}
			}
			if !del && s.slots[sl] != nil {
				return Output{}, &Error{Code: ErrSlotBusy, Slot: sl}
			}
			if seen.Set(sl) {
				return Output{}, &Error{Code: ErrSlotRepeated, Slot: sl}
			}
		}
	}
	s.begin(now)
	for _, r := range ranges {
		for sl := r.Start; sl <= r.End; sl++ {
			delete(s.importing, sl) // we are the real owner now
			if del {
				s.delSlot(sl)
			} else {
				s.addSlot(s.myself, sl)
			}
		}
	}
	s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	return s.finish(), nil
}

// FlushSlots unassigns all my slots (CLUSTER FLUSHSLOTS; the caller checks
// that the database is empty).
func (s *State) FlushSlots(now time.Time) Output {
	s.begin(now)
	s.delNodeSlots(s.myself)
	s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	return s.finish()
}

// SetSlotAction is the sub-command of CLUSTER SETSLOT.
type SetSlotAction uint8

// SETSLOT actions.
const (
	SetSlotMigrating SetSlotAction = iota
	SetSlotImporting
	SetSlotStable
	SetSlotNode
)

// SetSlotArgs are the arguments of CLUSTER SETSLOT. SlotHasKeys must tell
// whether this node holds keys in Slot (any database); FromPrimary is set
// when the command arrives on the replication stream.
type SetSlotArgs struct {
	Slot        int
	Action      SetSlotAction
	Node        string
	SlotHasKeys bool
	FromPrimary bool
}

// CheckSetSlot validates CLUSTER SETSLOT without changing anything, in
// Valkey's order (clusterParseSetSlotCommand), so that the caller can
// check its options afterwards as Valkey does.
func (s *State) CheckSetSlot(a SetSlotArgs) error {
	_, err := s.checkSetSlot(a)
	return err
}

func (s *State) checkSetSlot(a SetSlotArgs) (*node, error) {
	if !a.FromPrimary && s.myself.isReplica() {
		return nil, &Error{Code: ErrSetSlotReplica}
	}
	if err := checkSlot(a.Slot); err != nil {
		return nil, err
	}
	return s.setSlotTarget(a)
}

// SetSlot is CLUSTER SETSLOT (legacy migration markers and ownership).
func (s *State) SetSlot(now time.Time, a SetSlotArgs) (Output, error) {
	n, err := s.checkSetSlot(a)
	if err != nil {
		return Output{}, err
	}
	s.begin(now)
	sl := a.Slot
	if s.setSlotNoop(a, n) {
		// Valkey saves nodes.conf anyway; an unchanged configuration need
		// not be written. redis-cli sends SETSLOT NODE to every primary,
		// most of which already learned the owner through gossip.
		return s.finish(), nil
	}
	switch a.Action {
	case SetSlotMigrating:
		s.logf("Migrating slot %d to node %s", sl, n.id)
		s.migrating[sl] = n
	case SetSlotImporting:
		s.logf("Importing slot %d from node %s", sl, n.id)
		s.importing[sl] = n
	case SetSlotStable:
		s.logf("Marking slot %d stable", sl)
		delete(s.importing, sl)
		delete(s.migrating, sl)
	case SetSlotNode:
		s.setSlotNode(sl, n, a.SlotHasKeys)
	}
	s.doBeforeSleep(todoSaveConfig | todoUpdateState)
	return s.finish(), nil
}

// setSlotTarget validates SETSLOT's node argument and preconditions.
func (s *State) setSlotTarget(a SetSlotArgs) (*node, error) {
	me := s.myself
	n := s.lookup(ID(a.Node))
	switch a.Action {
	case SetSlotMigrating, SetSlotImporting:
		if a.Action == SetSlotMigrating && me.isPrimary() && s.slots[a.Slot] != me {
			return nil, &Error{Code: ErrNotOwner, Slot: a.Slot}
		}
		if a.Action == SetSlotImporting && s.slots[a.Slot] == me {
			return nil, &Error{Code: ErrAlreadyOwner, Slot: a.Slot}
		}
		if n == nil {
			return nil, &Error{Code: ErrNoSuchNode, Node: a.Node}
		}
	case SetSlotNode:
		if n == nil {
			return nil, &Error{Code: ErrUnknownNode, Node: a.Node}
		}
	default:
		return nil, nil
	}
	if n.isReplica() {
		return nil, &Error{Code: ErrTargetNotPrimary}
	}
	if a.Action == SetSlotNode && s.slots[a.Slot] == me && n != me && a.SlotHasKeys {
		return nil, &Error{Code: ErrSlotHasKeys, Slot: a.Slot}
	}
	return n, nil
}

// setSlotNoop reports a SETSLOT that would leave the state as it is.
func (s *State) setSlotNoop(a SetSlotArgs, n *node) bool {
	sl := a.Slot
	switch a.Action {
	case SetSlotMigrating:
		return s.migrating[sl] == n
	case SetSlotImporting:
		return s.importing[sl] == n
	case SetSlotStable:
		return s.migrating[sl] == nil && s.importing[sl] == nil
	case SetSlotNode:
		me := s.myself
		clearsMigrating := !a.SlotHasKeys && s.migrating[sl] != nil
		clearsImporting := (n == me || n == me.primary) && s.importing[sl] != nil
		return s.slots[sl] == n && !clearsMigrating && !clearsImporting
	}
	return false
}

func (s *State) setSlotNode(sl int, n *node, hasKeys bool) {
	me := s.myself
	s.logf("Assigning slot %d to node %s in shard %s", sl, n.id, n.shardID)
	if !hasKeys && s.migrating[sl] != nil {
		delete(s.migrating, sl)
	}
	myPrimary := primaryOf(me)
	wasMine := s.slots[sl] == myPrimary
	s.delSlot(sl)
	s.addSlot(n, sl)
	shardEmpty := myPrimary.numSlots == 0
	if s.cfg.AllowReplicaMigration && wasMine && shardEmpty && n != myPrimary {
		s.logf("Lost my last slot during slot migration. Reconfiguring myself as a replica of %s in shard %s",
			n.id, n.shardID)
		s.setPrimary(n, true, true)
		s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig)
	}
	if !s.cfg.AllowReplicaMigration && me.isPrimary() && wasMine && shardEmpty && n != myPrimary {
		s.logf("My last slot was migrated to node %s in shard %s. I am now an empty primary.", n.id, n.shardID)
	}
	if (n == me || n == me.primary) && s.importing[sl] != nil {
		delete(s.importing, sl)
		if n == me {
			// A manual migration: take a new epoch so the new owner wins
			// everywhere, and tell everyone now.
			if s.bumpEpochWithoutConsensus() {
				s.logf("ConfigEpoch updated after importing slot %d", sl)
			}
			s.doBeforeSleep(todoBroadcastAll)
		}
	}
}

// Forget removes a node and bans it for BlacklistTTL (CLUSTER FORGET).
// Forgetting a node already banned succeeds.
func (s *State) Forget(now time.Time, id string) (Output, error) {
	s.begin(now)
	me := s.myself
	n := s.lookup(ID(id))
	switch {
	case n == nil:
		if s.blacklisted(ID(id)) {
			return s.finish(), nil
		}
		s.out = Output{}
		return Output{}, &Error{Code: ErrUnknownNode, Node: id}
	case n == me:
		s.out = Output{}
		return Output{}, &Error{Code: ErrForgetMyself}
	case me.isReplica() && me.primary == n:
		s.out = Output{}
		return Output{}, &Error{Code: ErrForgetMyPrimary}
	}
	s.logf("Cluster forget %s", id)
	s.blacklistAdd(n.id)
	s.delNode(n)
	s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	return s.finish(), nil
}

// Reset forgets every other node and all slots; a replica becomes an empty
// primary (EventPromoted with FullSync: stop replicating and flush);
// a hard reset also zeroes the epochs and takes a new id (CLUSTER RESET).
// The caller refuses it for a primary that holds keys.
func (s *State) Reset(now time.Time, hard bool) Output {
	s.begin(now)
	me := s.myself
	if me.isReplica() {
		s.setNodeAsPrimary(me)
		s.out.Events = append(s.out.Events, Event{Kind: EventPromoted, FullSync: true})
	}
	s.closeAllSlots()
	s.resetManualFailover()
	for j := 0; j < slot.Count; j++ {
		s.delSlot(j)
	}
	for _, n := range append([]*node(nil), s.sorted...) {
		if n != me {
			s.delNode(n)
		}
	}
	clear(s.blacklist)
	if hard {
		s.currentEpoch, s.lastVoteEpoch, me.epoch = 0, 0, 0
		s.logf("configEpoch set to 0 via CLUSTER RESET HARD")
		s.unlinkNode(me)
		me.id = NewID(s.rng)
		me.shardID = NewID(s.rng)
		s.addNode(me)
		s.logf("Node hard reset, now I'm %s", me.id)
	}
	s.doBeforeSleep(todoSaveConfig | todoUpdateState | todoFsyncConfig)
	return s.finish()
}

// SetConfigEpoch is CLUSTER SET-CONFIG-EPOCH: only on a fresh node.
func (s *State) SetConfigEpoch(now time.Time, epoch int64) (Output, error) {
	me := s.myself
	switch {
	case epoch < 0:
		return Output{}, &Error{Code: ErrEpochInvalid, Epoch: epoch}
	case len(s.nodes) > 1:
		return Output{}, &Error{Code: ErrEpochOthersKnown}
	case me.epoch != 0:
		return Output{}, &Error{Code: ErrEpochNonZero}
	}
	s.begin(now)
	me.epoch = uint64(epoch)
	s.logf("configEpoch set to %d via CLUSTER SET-CONFIG-EPOCH", me.epoch)
	if s.currentEpoch < me.epoch {
		s.currentEpoch = me.epoch
	}
	s.doBeforeSleep(todoUpdateState | todoSaveConfig)
	return s.finish(), nil
}

// BumpEpoch is CLUSTER BUMPEPOCH: reply "BUMPED <epoch>" when bumped, else
// "STILL <epoch>".
func (s *State) BumpEpoch(now time.Time) (bumped bool, epoch uint64, out Output) {
	s.begin(now)
	bumped = s.bumpEpochWithoutConsensus()
	return bumped, s.myself.epoch, s.finish()
}

// Replicate makes myself a replica of node id (CLUSTER REPLICATE). dbEmpty
// tells whether this node holds no keys.
func (s *State) Replicate(now time.Time, id string, dbEmpty bool) (Output, error) {
	me := s.myself
	n := s.lookup(ID(id))
	switch {
	case n == nil:
		return Output{}, &Error{Code: ErrUnknownNode, Node: id}
	case n == me:
		return Output{}, &Error{Code: ErrReplicateMyself}
	case n.isReplica():
		return Output{}, &Error{Code: ErrReplicateReplica}
	case me.isPrimary() && (me.numSlots != 0 || !dbEmpty):
		return Output{}, &Error{Code: ErrReplicateNotEmpty}
	}
	s.begin(now)
	if me.primary != n {
		s.setPrimary(n, true, true)
		s.doBeforeSleep(todoUpdateState | todoSaveConfig | todoBroadcastAll)
	}
	return s.finish(), nil
}

// Publish propagates PUBLISH to every node, or SPUBLISH (sharded) to the
// nodes of my shard (clusterPropagatePublish).
func (s *State) Publish(now time.Time, channel, payload []byte, sharded bool) Output {
	s.begin(now)
	t := MsgPublish
	if sharded {
		t = MsgPublishShard
	}
	m := s.newHeader(t)
	m.Channel, m.Payload = channel, payload
	for _, n := range s.sorted {
		if n.flags&(FlagMyself|FlagHandshake) != 0 || (sharded && n.shardID != s.myself.shardID) {
			continue
		}
		s.emit(outbound(n), m)
	}
	return s.finish()
}

// SetReplOffset sets the replication offset we advertise in headers.
func (s *State) SetReplOffset(off int64) { s.replOffset = off }

// Reconfigure applies changed settings (CONFIG SET cluster-announce-*,
// cluster-node-timeout, cluster-require-full-coverage, ...). MyID, ShardID
// and the random source cannot change.
func (s *State) Reconfigure(now time.Time, cfg Config) Output {
	s.begin(now)
	me := s.myself
	cfg.MyID, cfg.ShardID, cfg.Rand = me.id, me.shardID, s.cfg.Rand
	cfg.normalize()
	oldIP, oldFlags, oldHost, oldName := s.cfg.IP, me.flags, me.hostname, me.humanName
	s.cfg = cfg
	s.applyMyselfConfig()
	if oldIP != "" && cfg.IP == "" {
		me.ip = "" // no longer announced: learn it again from MEETs
	}
	if me.flags != oldFlags {
		s.doBeforeSleep(todoSaveConfig | todoUpdateState)
	}
	if me.hostname != oldHost || me.humanName != oldName || me.ip != "" && cfg.IP != oldIP {
		s.doBeforeSleep(todoSaveConfig)
	}
	s.doBeforeSleep(todoUpdateState)
	return s.finish()
}
