package command

import (
	"strconv"
	"strings"
)

// replInfo writes INFO replication in Valkey's field order
// (genValkeyInfoString).
func (n *Node) replInfo(b *infoBuf) {
	in := n.Repl.Info()
	if in.Replica {
		b.str("role", "slave")
		b.str("master_host", in.Host)
		b.int("master_port", int64(in.Port))
		link := "down"
		if in.LinkUp {
			link = "up"
		}
		b.str("master_link_status", link)
		b.int("master_last_io_seconds_ago", in.LastIOSecs)
		b.int("master_sync_in_progress", boolInt(in.SyncInProgress))
		b.int("slave_read_repl_offset", in.ReadReplOffset)
		b.int("slave_repl_offset", in.ReplOffset)
		if in.SyncInProgress {
			// The snapshot is streamed, so its size is not known up front
			// (as with a diskless RDB: total -1).
			b.int("master_sync_total_bytes", -1)
			b.int("master_sync_read_bytes", in.SyncReadBytes)
			b.int("master_sync_left_bytes", -1)
			b.float2("master_sync_perc", 0)
			b.int("master_sync_last_io_seconds_ago", in.SyncLastIOSecs)
		}
		if !in.LinkUp {
			b.int("master_link_down_since_seconds", in.LinkDownSecs)
		}
		b.int("slave_priority", in.Priority)
		b.int("slave_read_only", boolInt(in.ReadOnly))
		b.int("replica_announced", boolInt(in.Announced))
	} else {
		b.str("role", "master")
	}
	b.int("connected_slaves", int64(len(in.Replicas)))
	if in.MinReplicasShown {
		b.int("min_slaves_good_slaves", in.MinReplicasGood)
	}
	for i, r := range in.Replicas {
		var sb strings.Builder
		sb.WriteString("ip=")
		sb.WriteString(r.IP)
		sb.WriteString(",port=")
		sb.WriteString(strconv.Itoa(r.Port))
		sb.WriteString(",state=")
		sb.WriteString(r.State)
		sb.WriteString(",offset=")
		sb.WriteString(strconv.FormatInt(r.Offset, 10))
		sb.WriteString(",lag=")
		sb.WriteString(strconv.FormatInt(r.Lag, 10))
		b.str("slave"+strconv.Itoa(i), sb.String())
	}
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", in.ReplID)
	b.str("master_replid2", in.ReplID2)
	b.int("master_repl_offset", in.Offset)
	b.int("second_repl_offset", in.SecondOffset)
	b.int("repl_backlog_active", boolInt(in.BacklogActive))
	b.int("repl_backlog_size", in.BacklogSize)
	b.int("repl_backlog_first_byte_offset", in.BacklogFirstByte)
	b.int("repl_backlog_histlen", in.BacklogHistlen)
}
