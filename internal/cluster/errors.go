package cluster

import "fmt"

// ErrCode identifies why a command was refused. The client-facing texts
// live in the command layer; each code's comment quotes Valkey's text.
type ErrCode uint8

// Error codes.
const (
	ErrInvalidSlot         ErrCode = iota + 1 // "Invalid or out of range slot"
	ErrInvalidAddress                         // "Invalid node address specified: %s:%s"
	ErrSlotBusy                               // "Slot %d is already busy"
	ErrSlotUnassigned                         // "Slot %d is already unassigned"
	ErrSlotRepeated                           // "Slot %d specified multiple times"
	ErrSlotRangeOrder                         // "start slot number %d is greater than end slot number %d"
	ErrUnknownNode                            // "Unknown node %s"
	ErrNoSuchNode                             // "I don't know about node %s" (SETSLOT MIGRATING/IMPORTING)
	ErrForgetMyself                           // "I tried hard but I can't forget myself..."
	ErrForgetMyPrimary                        // "Can't forget my master!"
	ErrSetSlotReplica                         // "Please use SETSLOT only with masters."
	ErrNotOwner                               // "I'm not the owner of hash slot %u"
	ErrAlreadyOwner                           // "I'm already the owner of hash slot %u"
	ErrTargetNotPrimary                       // "Target node is not a master"
	ErrSlotHasKeys                            // "Can't assign hashslot %d to a different node while I still hold keys for this hash slot."
	ErrEpochInvalid                           // "Invalid config epoch specified: %lld"
	ErrEpochOthersKnown                       // "The user can assign a config epoch only when the node does not know any other node."
	ErrEpochNonZero                           // "Node config epoch is already non-zero"
	ErrReplicateMyself                        // "Can't replicate myself"
	ErrReplicateReplica                       // "I can only replicate a master, not a replica."
	ErrReplicateNotEmpty                      // "To set a master the node must be empty and without assigned slots."
	ErrFailoverPrimary                        // "You should send CLUSTER FAILOVER to a replica"
	ErrFailoverNoPrimary                      // "I'm a replica but my master is unknown to me"
	ErrFailoverPrimaryDown                    // "Master is down or failed, please use CLUSTER FAILOVER FORCE"
)

// Error is a refused command. Slot, End, Node and Addr carry the values
// Valkey's message interpolates.
type Error struct {
	Code      ErrCode
	Slot, End int
	Node      string
	Addr      [2]string // ip, port as given
	Epoch     int64
}

var errNames = map[ErrCode]string{
	ErrInvalidSlot: "invalid slot", ErrInvalidAddress: "invalid address", ErrSlotBusy: "slot busy",
	ErrSlotUnassigned: "slot unassigned", ErrSlotRepeated: "slot repeated", ErrSlotRangeOrder: "range start after end",
	ErrUnknownNode: "unknown node", ErrNoSuchNode: "unknown node", ErrForgetMyself: "cannot forget myself",
	ErrForgetMyPrimary: "cannot forget my primary", ErrSetSlotReplica: "SETSLOT on a replica",
	ErrNotOwner: "not the slot owner", ErrAlreadyOwner: "already the slot owner", ErrTargetNotPrimary: "target is a replica",
	ErrSlotHasKeys: "slot still has keys", ErrEpochInvalid: "invalid epoch", ErrEpochOthersKnown: "other nodes known",
	ErrEpochNonZero: "epoch already set", ErrReplicateMyself: "cannot replicate myself",
	ErrReplicateReplica: "cannot replicate a replica", ErrReplicateNotEmpty: "not empty",
	ErrFailoverPrimary: "FAILOVER on a primary", ErrFailoverNoPrimary: "primary unknown",
	ErrFailoverPrimaryDown: "primary down",
}

// Error describes the refusal for logs; clients get Valkey's text from the
// command layer.
func (e *Error) Error() string {
	return fmt.Sprintf("cluster: %s (slot %d, end %d, node %q, addr %v, epoch %d)",
		errNames[e.Code], e.Slot, e.End, e.Node, e.Addr, e.Epoch)
}
