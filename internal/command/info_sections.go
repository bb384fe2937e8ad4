package command

import (
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RedisCompatVersion is the redis_version INFO reports, as Valkey does, so
// that tools gating features on a Redis version keep working.
const RedisCompatVersion = "7.2.4"

func (n *Node) infoServer(b *infoBuf, c *Ctx) {
	a := &n.admin
	now := time.Now()
	uptime := int64(now.Sub(n.Started).Seconds())
	b.str("redis_version", RedisCompatVersion)
	b.str("server_name", "valkey")
	b.str("valkey_version", Version)
	b.str("redis_git_sha1", "00000000")
	b.int("redis_git_dirty", 0)
	b.str("redis_build_id", a.buildID)
	b.str("server_mode", n.Mode())
	b.str("os", a.osName)
	b.int("arch_bits", int64(strconv.IntSize))
	b.str("monotonic_clock", "POSIX clock_gettime")
	b.str("multiplexing_api", "epoll")
	b.str("atomicvar_api", "c11-builtin")
	b.str("gcc_version", "0.0.0")
	b.str("go_version", runtime.Version())
	b.int("process_id", int64(os.Getpid()))
	b.str("process_supervised", "no")
	b.str("run_id", n.RunID)
	port := 0
	cfgFile := ""
	if n.Host != nil {
		port = n.Host.Port()
		cfgFile = n.Host.ConfigFile()
	}
	b.int("tcp_port", int64(port))
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", uptime)
	b.int("uptime_in_days", uptime/(3600*24))
	hz := n.cfgInt("hz")
	b.int("hz", hz)
	b.int("configured_hz", hz)
	b.int("lru_clock", (now.Unix())&(1<<24-1))
	b.str("executable", a.executable)
	b.str("config_file", cfgFile)
	b.int("io_threads_active", 0)
	bind := strings.Fields(n.cfgString("bind"))
	line := "name=tcp"
	for _, addr := range bind {
		line += ",bind=" + addr
	}
	b.str("listener0", line+",port="+strconv.Itoa(port))
}

func (n *Node) infoClients(b *infoBuf, c *Ctx) {
	now := time.Now()
	var maxIn, maxOut, pubsub, watching, watchedKeys int64
	clients := n.Clients.All()
	for _, cl := range clients {
		ci := cl.Info(now)
		maxIn = max(maxIn, int64(ci.QBuf))
		maxOut = max(maxOut, int64(ci.OBuf))
		if ci.Flags&ClientPubSub != 0 {
			pubsub++
		}
		if ci.WatchLen > 0 {
			watching++
			watchedKeys += int64(ci.WatchLen)
		}
	}
	b.int("connected_clients", int64(len(clients)))
	b.int("cluster_connections", 0)
	b.int("maxclients", n.cfgInt("maxclients"))
	b.int("client_recent_max_input_buffer", maxIn)
	b.int("client_recent_max_output_buffer", maxOut)
	b.int("blocked_clients", n.BlockedClients())
	b.int("tracking_clients", 0)
	b.int("pubsub_clients", pubsub)
	b.int("watching_clients", watching)
	b.int("clients_in_timeout_table", 0)
	b.int("total_watched_keys", watchedKeys)
	b.int("total_blocking_keys", 0)
	b.int("total_blocking_keys_on_nokey", 0)
}

// runtimeMemory reads the Go runtime's memory classes without stopping the
// world (runtime.ReadMemStats would).
func runtimeMemory() (allocated, active, resident int64) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(s)
	v := func(i int) int64 {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(s[i].Value.Uint64())
	}
	return v(0), v(0) + v(1), v(2) - v(3)
}

func ratio(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (n *Node) infoMemory(b *infoBuf, c *Ctx) {
	used, peak := n.samplePeakMemory()
	dataset := n.KS.DatasetBytes()
	overhead := used - dataset
	rss := processRSS()
	allocated, active, resident := runtimeMemory()
	maxmem := n.cfgInt("maxmemory")
	b.bytes("used_memory", used)
	b.bytes("used_memory_rss", rss)
	b.bytes("used_memory_peak", peak)
	b.str("used_memory_peak_perc", strconv.FormatFloat(ratio(used, peak)*100, 'f', 2, 64)+"%")
	b.int("used_memory_overhead", overhead)
	b.int("used_memory_startup", overhead)
	b.int("used_memory_dataset", dataset)
	b.str("used_memory_dataset_perc", strconv.FormatFloat(ratio(dataset, used)*100, 'f', 2, 64)+"%")
	b.int("allocator_allocated", allocated)
	b.int("allocator_active", active)
	b.int("allocator_resident", resident)
	b.bytes("total_system_memory", totalSystemMemory())
	for _, f := range []string{"used_memory_lua", "used_memory_vm_eval"} {
		b.int(f, 0)
	}
	b.str("used_memory_lua_human", "0B")
	for _, f := range []string{"used_memory_scripts_eval", "number_of_cached_scripts",
		"number_of_functions", "number_of_libraries", "used_memory_vm_functions"} {
		b.int(f, 0)
	}
	b.bytes("used_memory_vm_total", 0)
	b.int("used_memory_functions", 0)
	b.bytes("used_memory_scripts", 0)
	b.bytes("maxmemory", maxmem)
	b.str("maxmemory_policy", n.cfgString("maxmemory-policy"))
	b.float2("allocator_frag_ratio", ratio(active, allocated))
	b.int("allocator_frag_bytes", active-allocated)
	b.float2("allocator_rss_ratio", ratio(resident, active))
	b.int("allocator_rss_bytes", resident-active)
	b.float2("rss_overhead_ratio", ratio(rss, resident))
	b.int("rss_overhead_bytes", rss-resident)
	b.float2("mem_fragmentation_ratio", ratio(rss, used))
	b.int("mem_fragmentation_bytes", rss-used)
	for _, f := range []string{"mem_not_counted_for_evict", "mem_replication_backlog",
		"mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal",
		"mem_cluster_links", "mem_aof_buffer"} {
		b.int(f, 0)
	}
	b.str("mem_allocator", "go-"+runtime.Version())
	for _, f := range []string{"mem_overhead_db_hashtable_rehashing", "active_defrag_running",
		"lazyfree_pending_objects", "lazyfreed_objects"} {
		b.int(f, 0)
	}
}

func (n *Node) infoPersistence(b *infoBuf, c *Ctx) {
	zero := func(fields ...string) {
		for _, f := range fields {
			b.int(f, 0)
		}
	}
	zero("loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age")
	b.float2("current_fork_perc", 0)
	zero("current_save_keys_processed", "current_save_keys_total")
	b.int("rdb_changes_since_last_save", n.KS.Stats().Dirty.Load())
	b.int("rdb_bgsave_in_progress", 0)
	b.int("rdb_last_save_time", n.LastSave().Unix())
	b.str("rdb_last_bgsave_status", "ok")
	b.int("rdb_last_bgsave_time_sec", -1)
	b.int("rdb_current_bgsave_time_sec", -1)
	zero("rdb_saves", "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded",
		"aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled")
	b.int("aof_last_rewrite_time_sec", -1)
	b.int("aof_current_rewrite_time_sec", -1)
	b.str("aof_last_bgrewrite_status", "ok")
	zero("aof_rewrites", "aof_rewrites_consecutive_failures")
	b.str("aof_last_write_status", "ok")
	zero("aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size")
}

func (n *Node) infoStats(b *infoBuf, c *Ctx) {
	st := &n.Stats
	ks := n.KS.Stats()
	b.int("total_connections_received", st.Connections.Load())
	b.int("total_commands_processed", st.Commands.Load())
	b.int("instantaneous_ops_per_sec", int64(math.Round(n.instantaneous(metricCommands))))
	b.int("total_net_input_bytes", st.NetInput.Load())
	b.int("total_net_output_bytes", st.NetOutput.Load())
	var rs ReplStats
	if n.Repl != nil {
		rs = n.Repl.Stats()
	}
	b.int("total_net_repl_input_bytes", rs.NetReplInput)
	b.int("total_net_repl_output_bytes", rs.NetReplOutput)
	b.float2("instantaneous_input_kbps", n.instantaneous(metricNetInput)/1024)
	b.float2("instantaneous_output_kbps", n.instantaneous(metricNetOutput)/1024)
	b.float2("instantaneous_input_repl_kbps", 0)
	b.float2("instantaneous_output_repl_kbps", 0)
	b.int("rejected_connections", st.RejectedConns.Load())
	b.int("sync_full", rs.SyncFull)
	b.int("sync_partial_ok", rs.SyncPartialOK)
	b.int("sync_partial_err", rs.SyncPartialErr)
	b.int("expired_keys", ks.ExpiredKeys.Load())
	b.int("expired_fields", ks.ExpiredFields.Load()) // hash field expiration
	b.float2("expired_stale_perc", math.Float64frombits(ks.ExpiredStalePerc.Load())*100)
	b.float2("expired_keys_with_volatile_items_stale_perc", ks.ExpiredFieldsStalePercent()*100)
	b.int("expired_time_cap_reached_count", ks.ExpiredTimeCapReached.Load())
	b.int("expire_cycle_cpu_milliseconds", ks.ExpireCycleCPUMicros.Load()/1000)
	b.int("evicted_keys", ks.EvictedKeys.Load())
	b.int("evicted_clients", 0)
	b.int("evicted_scripts", 0)
	// Eviction runs until memory is back under the limit before the write
	// proceeds, so the time spent over maxmemory is the time spent evicting.
	b.int("total_eviction_exceeded_time", ks.EvictionMicros.Load()/1000)
	b.int("current_eviction_exceeded_time", 0)
	b.int("keyspace_hits", ks.Hits.Load())
	b.int("keyspace_misses", ks.Misses.Load())
	b.int("pubsub_channels", int64(n.PubSub.NumChannels()))
	b.int("pubsub_patterns", int64(n.PubSub.NumPatterns()))
	b.int("pubsubshard_channels", int64(n.PubSub.NumShardChannels()))
	for _, f := range []string{"latest_fork_usec", "total_forks", "migrate_cached_sockets",
		"slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
		"active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time",
		"current_active_defrag_time", "tracking_total_keys", "tracking_total_items",
		"tracking_total_prefixes"} {
		b.int(f, 0)
	}
	b.int("unexpected_error_replies", st.UnexpectedErrors.Load())
	b.int("total_error_replies", st.ErrorReplies.Load())
	b.int("dump_payload_sanitizations", 0)
	b.int("total_reads_processed", st.IOReadsProcessed.Load())
	b.int("total_writes_processed", st.IOWritesProcessed.Load())
	b.int("io_threaded_reads_processed", 0)
	b.int("io_threaded_writes_processed", 0)
	for _, f := range []string{"client_query_buffer_limit_disconnections",
		"client_output_buffer_limit_disconnections", "reply_buffer_shrinks", "reply_buffer_expands",
		"acl_access_denied_auth", "acl_access_denied_cmd", "acl_access_denied_key",
		"acl_access_denied_channel"} {
		b.int(f, 0)
	}
}

func (n *Node) infoReplication(b *infoBuf, c *Ctx) {
	if n.Repl != nil {
		n.replInfo(b) // repl_info.go
		return
	}
	b.str("role", "master")
	b.int("connected_slaves", 0)
	b.str("master_failover_state", "no-failover")
	b.str("master_replid", *n.admin.replID.Load())
	b.str("master_replid2", strings.Repeat("0", 40))
	b.int("master_repl_offset", 0)
	b.int("second_repl_offset", -1)
	b.int("repl_backlog_active", 0)
	b.int("repl_backlog_size", 1<<20)
	b.int("repl_backlog_first_byte_offset", 0)
	b.int("repl_backlog_histlen", 0)
}

func (n *Node) infoCPU(b *infoBuf, c *Ctx) {
	sys, user := cpuTimes()
	b.str("used_cpu_sys", strconv.FormatFloat(sys, 'f', 6, 64))
	b.str("used_cpu_user", strconv.FormatFloat(user, 'f', 6, 64))
	b.str("used_cpu_sys_children", "0.000000")
	b.str("used_cpu_user_children", "0.000000")
}

func (n *Node) infoCommandStats(b *infoBuf, c *Ctx) {
	var walk func(cmds []*Command)
	walk = func(cmds []*Command) {
		for _, cmd := range cmds {
			st := cmd.Stats()
			calls, usec := st.Calls.Load(), st.Micros.Load()
			rejected, failed := st.RejectedCall.Load(), st.FailedCalls.Load()
			if calls != 0 || rejected != 0 || failed != 0 {
				perCall := 0.0
				if calls > 0 {
					perCall = float64(usec) / float64(calls)
				}
				b.str("cmdstat_"+infoSafe(cmd.Name), "calls="+strconv.FormatInt(calls, 10)+
					",usec="+strconv.FormatInt(usec, 10)+
					",usec_per_call="+strconv.FormatFloat(perCall, 'f', 2, 64)+
					",rejected_calls="+strconv.FormatInt(rejected, 10)+
					",failed_calls="+strconv.FormatInt(failed, 10))
			}
			if len(cmd.Subcommands) > 0 {
				walk(sortedSubcommands(cmd))
			}
		}
	}
	walk(n.Table.All())
}

func (n *Node) infoErrorStats(b *infoBuf, c *Ctx) {
	counts := n.ErrorCounts()
	codes := make([]string, 0, len(counts))
	for code := range counts {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		b.str("errorstat_"+infoSafe(code), "count="+strconv.FormatInt(counts[code], 10))
	}
}

func (n *Node) infoCluster(b *infoBuf, c *Ctx) {
	b.int("cluster_enabled", boolInt(n.ClusterEnabled))
}

func (n *Node) infoKeyspace(b *infoBuf, c *Ctx) {
	for i := 0; i < n.KS.NumDBs(); i++ {
		db := n.KS.DB(i)
		if db == nil {
			continue
		}
		keys, expires := db.Size(), db.Expires()
		if keys == 0 && expires == 0 {
			continue
		}
		b.str("db"+strconv.Itoa(i), "keys="+strconv.FormatInt(keys, 10)+
			",expires="+strconv.FormatInt(expires, 10)+
			",avg_ttl=0,keys_with_volatile_items="+strconv.FormatInt(db.KeysWithVolatileItems(), 10))
	}
}

// sortedSubcommands returns cmd's subcommands ordered by name.
func sortedSubcommands(cmd *Command) []*Command {
	out := make([]*Command, 0, len(cmd.Subcommands))
	for _, s := range cmd.Subcommands {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (n *Node) cfgString(name string) string {
	if n.Config == nil {
		return ""
	}
	v, _ := n.Config.Get(name)
	return v
}

func (n *Node) cfgInt(name string) int64 {
	if n.Config == nil {
		return 0
	}
	return n.Config.Int(name)
}
