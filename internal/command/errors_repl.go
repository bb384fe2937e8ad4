package command

import "strconv"

// Replication error replies (REPLICAOF, REPLCONF, PSYNC, WAIT and the
// replica gates), as Valkey's replication.c and server.c send them.
const (
	ErrReplicaofCluster     = "ERR REPLICAOF not allowed in cluster mode."
	ErrReplicaofFailover    = "ERR REPLICAOF not allowed while failing over."
	ErrReplicaofFromReplica = "ERR Command is not valid when client is a replica."
	ErrReplicaofPort        = "ERR Invalid master port"
	ErrWaitOnReplica        = "ERR WAIT cannot be used with replica instances. Please also note that if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated."
	ErrSyncNoPrimaryLink    = "NOMASTERLINK Can't SYNC while not connected with my master"
	ErrSyncPendingOutput    = "ERR SYNC and PSYNC are invalid with pending output"
	ErrPrimaryDown          = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	// ErrSyncNotShoal is Shoal's own: a full synchronization streams a
	// point-in-time snapshot as commands (no RDB), which only a Shoal
	// replica (REPLCONF capa shoal) understands; SYNC, which expects an
	// RDB payload, is refused for the same reason.
	ErrSyncNotShoal = "ERR full synchronization needs a Shoal replica (REPLCONF capa shoal): this server does not produce RDB payloads"
)

// ErrReplconfOption formats the unknown REPLCONF option error.
func ErrReplconfOption(opt []byte) string {
	return "ERR Unrecognized REPLCONF option: " + string(opt)
}

// ErrReplconfIPTooLong formats the REPLCONF ip-address length error.
func ErrReplconfIPTooLong(n int) string {
	return "ERR REPLCONF ip-address provided by replica instance is too long: " + strconv.Itoa(n) + " bytes"
}

// ErrValueRange formats getRangeLongFromObjectOrReply's default error.
func ErrValueRange(lo, hi int64) string {
	return "ERR value is out of range, value must between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10)
}
