package command

import (
	"strconv"

	"github.com/shoal-db/shoal/internal/cluster"
)

// Cluster error replies (cluster.c, cluster_legacy.c), byte for byte.
const (
	ErrClusterDisabled     = "ERR This instance has cluster support disabled"
	ErrCrossSlot           = "CROSSSLOT Keys in request don't hash to the same slot"
	ErrTryAgain            = "TRYAGAIN Multiple keys request during rehashing of slot"
	ErrClusterDown         = "CLUSTERDOWN The cluster is down"
	ErrClusterDownReadOnly = "CLUSTERDOWN The cluster is down and only accepts read commands"
	ErrClusterDownUnbound  = "CLUSTERDOWN Hash slot not served"

	ErrClusterSlot           = "ERR Invalid or out of range slot"
	ErrClusterCountKeysSlot  = "ERR Invalid slot"
	ErrClusterGetKeysSlot    = "ERR Invalid slot or number of keys"
	ErrClusterFlushSlotsKeys = "ERR DB must be empty to perform CLUSTER FLUSHSLOTS."
	ErrClusterResetKeys      = "ERR CLUSTER RESET can't be called with master nodes containing keys"
	ErrClusterSetSlotAction  = "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP"
	ErrClusterMissingTimeout = "ERR Missing timeout value"
	ErrClusterNotPrimary     = "ERR The specified node is not a master"
)

// ErrClusterRedirect formats -MOVED / -ASK (clusterRedirectClient): the
// endpoint is not bracketed even for IPv6, clients split on the last colon.
func ErrClusterRedirect(kind string, slot int, endpoint string, port int) string {
	return kind + " " + strconv.Itoa(slot) + " " + endpoint + ":" + strconv.Itoa(port)
}

// ErrClusterBasePort is CLUSTER MEET's port error.
func ErrClusterBasePort(arg []byte) string { return "ERR Invalid base port specified: " + string(arg) }

// ErrClusterBusPort is CLUSTER MEET's bus port error.
func ErrClusterBusPort(arg []byte) string { return "ERR Invalid bus port specified: " + string(arg) }

// ErrClusterUnknownNode is "Unknown node <id>".
func ErrClusterUnknownNode(id string) string { return "ERR Unknown node " + id }

// ErrClusterSaveConfig is CLUSTER SAVECONFIG's failure.
func ErrClusterSaveConfig(err error) string {
	return "ERR error saving the cluster node config: " + err.Error()
}

// clusterErrorText maps a state-machine refusal to Valkey's reply; other
// errors (a failed nodes.conf save) are reported as ERR.
func clusterErrorText(err error) string {
	e, ok := err.(*cluster.Error)
	if !ok {
		return "ERR " + err.Error()
	}
	itoa := strconv.Itoa
	switch e.Code {
	case cluster.ErrInvalidSlot:
		return ErrClusterSlot
	case cluster.ErrInvalidAddress:
		return "ERR Invalid node address specified: " + e.Addr[0] + ":" + e.Addr[1]
	case cluster.ErrSlotBusy:
		return "ERR Slot " + itoa(e.Slot) + " is already busy"
	case cluster.ErrSlotUnassigned:
		return "ERR Slot " + itoa(e.Slot) + " is already unassigned"
	case cluster.ErrSlotRepeated:
		return "ERR Slot " + itoa(e.Slot) + " specified multiple times"
	case cluster.ErrSlotRangeOrder:
		return "ERR start slot number " + itoa(e.Slot) + " is greater than end slot number " + itoa(e.End)
	case cluster.ErrUnknownNode:
		return ErrClusterUnknownNode(e.Node)
	case cluster.ErrNoSuchNode:
		return "ERR I don't know about node " + e.Node
	case cluster.ErrForgetMyself:
		return "ERR I tried hard but I can't forget myself..."
	case cluster.ErrForgetMyPrimary:
		return "ERR Can't forget my master!"
	case cluster.ErrSetSlotReplica:
		return "ERR Please use SETSLOT only with masters."
	case cluster.ErrNotOwner:
		return "ERR I'm not the owner of hash slot " + itoa(e.Slot)
	case cluster.ErrAlreadyOwner:
		return "ERR I'm already the owner of hash slot " + itoa(e.Slot)
	case cluster.ErrTargetNotPrimary:
		return "ERR Target node is not a master"
	case cluster.ErrSlotHasKeys:
		return "ERR Can't assign hashslot " + itoa(e.Slot) +
			" to a different node while I still hold keys for this hash slot."
	case cluster.ErrEpochInvalid:
		return "ERR Invalid config epoch specified: " + strconv.FormatInt(e.Epoch, 10)
	case cluster.ErrEpochOthersKnown:
		return "ERR The user can assign a config epoch only when the node does not know any other node."
	case cluster.ErrEpochNonZero:
		return "ERR Node config epoch is already non-zero"
	case cluster.ErrReplicateMyself:
		return "ERR Can't replicate myself"
	case cluster.ErrReplicateReplica:
		return "ERR I can only replicate a master, not a replica."
	case cluster.ErrReplicateNotEmpty:
		return "ERR To set a master the node must be empty and without assigned slots."
	case cluster.ErrFailoverPrimary:
		return "ERR You should send CLUSTER FAILOVER to a replica"
	case cluster.ErrFailoverNoPrimary:
		return "ERR I'm a replica but my master is unknown to me"
	case cluster.ErrFailoverPrimaryDown:
		return "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE"
	}
	return "ERR " + e.Error()
}
