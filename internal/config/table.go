package config

// The settings table: every directive Valkey 9.0 knows, with its alias,
// type, default, bounds and mutability, transcribed from config.c's
// static_configs. Settings Shoal has no use for are still accepted, kept
// and reported so that an existing valkey.conf loads unchanged; the few
// that would ask for something Shoal cannot do are refused with a clear
// reason (daemonize yes, unixsocket, TLS, RDMA, MPTCP).
//
// The table is read-only after package initialisation.

const (
	mod = true  // CONFIG SET may change it
	imm = false // start-up only
)

func b(name, alias string, mutable, def bool, fl Flag) Setting {
	return Setting{Name: name, Alias: alias, Type: TypeBool, Default: boolString(def), Mutable: mutable, Flags: fl}
}

func str(name, alias string, mutable bool, def string, fl Flag) Setting {
	return Setting{Name: name, Alias: alias, Type: TypeString, Default: def, Mutable: mutable, Flags: fl}
}

func num(name, alias string, mutable bool, lo, hi, def int64, fl Flag) Setting {
	s := Setting{Name: name, Alias: alias, Type: TypeInt, Min: lo, Max: hi, Mutable: mutable, Flags: fl}
	s.Default = formatNumeric(&s, def)
	return s
}

func mem(name, alias string, mutable bool, lo, hi, def int64, fl Flag) Setting {
	s := num(name, alias, mutable, lo, hi, def, fl)
	s.Type = TypeMemory
	s.Default = formatNumeric(&s, def)
	return s
}

func enm(name string, mutable bool, def string, fl Flag, names ...string) Setting {
	return Setting{Name: name, Type: TypeEnum, Default: def, Enum: names, Mutable: mutable, Flags: fl}
}

func spc(name, alias string, mutable bool, def string, fl Flag, ops *specialOps) Setting {
	return Setting{Name: name, Alias: alias, Type: TypeSpecial, Default: def, Mutable: mutable, Flags: fl, special: ops}
}

func (s Setting) chk(f func(string) string) Setting { s.check = f; return s }

func (s Setting) vals(v ...int) Setting { s.enumVals = v; return s }

const (
	hid  = FlagHidden
	sens = FlagSensitive
	null = FlagEmptyIsNull
	uns  = FlagUnsigned
	prot = FlagProtected
	mult = FlagMultiArg
)

var settings = append(append(append(boolSettings(), stringSettings()...), numericSettings()...), otherSettings()...)

func boolSettings() []Setting {
	return []Setting{
		b("rdbchecksum", "", imm, true, 0),
		b("daemonize", "", imm, false, 0).chk(rejectYes(reasonDaemonize)),
		b("always-show-logo", "", imm, false, 0),
		b("protected-mode", "", mod, true, 0),
		b("rdbcompression", "", mod, true, 0),
		b("rdb-del-sync-files", "", mod, false, 0),
		b("activerehashing", "", mod, true, 0),
		b("stop-writes-on-bgsave-error", "", mod, true, 0),
		b("set-proc-title", "", imm, true, 0),
		b("lazyfree-lazy-eviction", "", mod, true, 0),
		b("lazyfree-lazy-expire", "", mod, true, 0),
		b("lazyfree-lazy-server-del", "", mod, true, 0),
		b("lazyfree-lazy-user-del", "", mod, true, 0),
		b("lazyfree-lazy-user-flush", "", mod, true, 0),
		b("repl-disable-tcp-nodelay", "", mod, false, 0),
		b("repl-mptcp", "", imm, false, 0).chk(rejectYes(reasonMPTCP)),
		b("repl-diskless-sync", "", mod, true, 0),
		b("dual-channel-replication-enabled", "", mod, false, 0),
		b("aof-rewrite-incremental-fsync", "", mod, true, 0),
		b("no-appendfsync-on-rewrite", "", mod, false, 0),
		b("cluster-require-full-coverage", "", mod, true, 0),
		b("rdb-save-incremental-fsync", "", mod, true, 0),
		b("aof-load-truncated", "", mod, true, 0),
		b("aof-use-rdb-preamble", "", mod, true, 0),
		b("aof-timestamp-enabled", "", mod, false, 0),
		b("cluster-replica-no-failover", "cluster-slave-no-failover", mod, false, 0),
		b("replica-lazy-flush", "slave-lazy-flush", mod, true, 0),
		b("replica-serve-stale-data", "slave-serve-stale-data", mod, true, 0),
		b("replica-read-only", "slave-read-only", mod, true, 0),
		b("replica-ignore-maxmemory", "slave-ignore-maxmemory", mod, true, 0),
		b("jemalloc-bg-thread", "", mod, true, 0),
		b("activedefrag", "", mod, false, 0),
		b("syslog-enabled", "", imm, false, 0),
		b("cluster-enabled", "", imm, false, 0),
		b("appendonly", "", mod, false, 0),
		b("cluster-allow-reads-when-down", "", mod, false, 0),
		b("cluster-allow-pubsubshard-when-down", "", mod, true, 0),
		b("crash-log-enabled", "", mod, true, 0),
		b("crash-memcheck-enabled", "", mod, true, 0),
		b("use-exit-on-panic", "", mod, false, hid),
		b("disable-thp", "", imm, true, 0),
		b("cluster-allow-replica-migration", "", mod, true, 0),
		b("replica-announced", "", mod, true, 0),
		b("latency-tracking", "", mod, true, 0),
		b("aof-disable-auto-gc", "", mod, false, hid),
		b("replica-ignore-disk-write-errors", "", mod, false, 0),
		b("extended-redis-compatibility", "", mod, false, 0),
		b("enable-debug-assert", "", imm, false, hid),
		b("cluster-slot-stats-enabled", "", mod, false, 0),
		b("hide-user-data-from-log", "", mod, true, 0),
		b("lua-enable-insecure-api", "lua-enable-deprecated-api", mod, false, hid|prot),
		b("import-mode", "", mod, false, 0),
		b("mptcp", "", imm, false, 0).chk(rejectYes(reasonMPTCP)),
		b("tls-cluster", "", mod, false, 0).chk(rejectYes(reasonTLS)),
		b("tls-replication", "", mod, false, 0).chk(rejectYes(reasonTLS)),
		b("tls-prefer-server-ciphers", "", mod, false, 0),
		b("tls-session-caching", "", mod, true, 0),
	}
}

func stringSettings() []Setting {
	return []Setting{
		str("aclfile", "", imm, "", 0),
		str("unixsocket", "", imm, "", null).chk(rejectNonEmpty(reasonUnixSocket)),
		str("unixsocketgroup", "", imm, "", null),
		str("pidfile", "", imm, "", null),
		str("replica-announce-ip", "slave-announce-ip", mod, "", null),
		str("primaryuser", "masteruser", mod, "", null|sens),
		str("cluster-announce-ip", "", mod, "", null),
		str("cluster-announce-client-ipv4", "", mod, "", null).chk(checkIPv4),
		str("cluster-announce-client-ipv6", "", mod, "", null).chk(checkIPv6),
		str("cluster-config-file", "", imm, "nodes.conf", 0).chk(checkNotEmpty("cluster-config-file")),
		str("cluster-announce-hostname", "", mod, "", null).chk(checkHostname),
		str("cluster-announce-human-nodename", "", mod, "", null).chk(checkNodename),
		str("syslog-ident", "", imm, "valkey", 0),
		str("dbfilename", "", mod, "dump.rdb", prot).chk(checkBaseName("dbfilename", "filename")),
		str("appendfilename", "", imm, "appendonly.aof", 0).chk(checkBaseName("appendfilename", "filename")),
		str("appenddirname", "", imm, "appendonlydir", 0).chk(checkBaseName("appenddirname", "dirname")),
		str("server-cpulist", "server_cpulist", imm, "", null),
		str("bio-cpulist", "bio_cpulist", imm, "", null),
		str("aof-rewrite-cpulist", "aof_rewrite_cpulist", imm, "", null),
		str("bgsave-cpulist", "bgsave_cpulist", imm, "", null),
		str("ignore-warnings", "", mod, "", 0),
		str("proc-title-template", "", mod, "{title} {listen-addr} {server-mode}", 0).chk(checkProcTitle),
		str("bind-source-addr", "", mod, "", null),
		str("logfile", "", imm, "", 0),
		str("locale-collate", "", mod, "", 0),
		str("debug-context", "", mod, "", hid),
		str("primaryauth", "masterauth", mod, "", null|sens),
		str("requirepass", "", mod, "", null|sens),
		str("hash-seed", "", imm, "", null).chk(checkHashSeed),
		str("tls-cert-file", "", mod, "", null),
		str("tls-key-file", "", mod, "", null),
		str("tls-key-file-pass", "", mod, "", null|sens),
		str("tls-client-cert-file", "", mod, "", null),
		str("tls-client-key-file", "", mod, "", null),
		str("tls-client-key-file-pass", "", mod, "", null|sens),
		str("tls-dh-params-file", "", mod, "", null),
		str("tls-ca-cert-file", "", mod, "", null),
		str("tls-ca-cert-dir", "", mod, "", null),
		str("tls-protocols", "", mod, "", null),
		str("tls-ciphers", "", mod, "", null),
		str("tls-ciphersuites", "", mod, "", null),

		enm("supervised", imm, "no", 0, "upstart", "systemd", "auto", "no"),
		enm("syslog-facility", imm, "local0", 0, "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"),
		enm("repl-diskless-load", mod, "disabled", 0, "disabled", "on-empty-db", "swapdb", "flush-before-load"),
		enm("loglevel", mod, "notice", 0, "debug", "verbose", "notice", "warning", "nothing"),
		enm("maxmemory-policy", mod, "noeviction", 0, "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
			"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
		enm("appendfsync", mod, "everysec", 0, "everysec", "always", "no"),
		enm("oom-score-adj", mod, "no", 0, "no", "yes", "relative", "absolute").vals(0, 1, 1, 2),
		enm("acl-pubsub-default", mod, "resetchannels", 0, "allchannels", "resetchannels").vals(1, 0),
		enm("sanitize-dump-payload", mod, "no", 0, "no", "yes", "clients"),
		enm("enable-protected-configs", imm, "no", 0, "no", "yes", "local"),
		enm("enable-debug-command", imm, "no", 0, "no", "yes", "local"),
		enm("enable-module-command", imm, "no", 0, "no", "yes", "local"),
		enm("cluster-preferred-endpoint-type", mod, "ip", 0, "ip", "hostname", "unknown-endpoint"),
		enm("propagation-error-behavior", mod, "ignore", 0, "ignore", "panic", "panic-on-replicas"),
		enm("shutdown-on-sigint", mod, "default", mult, "default", "save", "nosave", "now", "force", "safe", "failover").
			vals(0, 1, 2, 4, 8, 16, 32).chk(checkShutdownFlags),
		enm("shutdown-on-sigterm", mod, "default", mult, "default", "save", "nosave", "now", "force", "safe", "failover").
			vals(0, 1, 2, 4, 8, 16, 32).chk(checkShutdownFlags),
		enm("log-format", mod, "legacy", 0, "legacy", "logfmt"),
		enm("log-timestamp-format", mod, "legacy", 0, "legacy", "iso8601", "milliseconds"),
		enm("rdb-version-check", mod, "strict", 0, "strict", "relaxed"),
		enm("tls-auth-clients", mod, "yes", 0, "no", "yes", "optional"),
		enm("tls-auth-clients-user", mod, "off", 0, "CN", "off"),
	}
}

func numericSettings() []Setting {
	hz := num("hz", "", mod, 0, intMax, 10, 0)
	hz.clamp = clampHz
	backlog := mem("repl-backlog-size", "", mod, 1, llongMax, 10*1024*1024, 0)
	backlog.clamp, backlog.clampOnSetOnly = clampBacklog, true
	return []Setting{
		num("databases", "", imm, 1, intMax, 16, 0),
		num("cluster-databases", "", imm, 1, intMax, 1, 0),
		num("port", "", mod, 0, 65535, 6379, 0),
		num("io-threads", "", mod, 1, 256, 1, 0),
		num("events-per-io-thread", "", mod, 0, intMax, 2, hid),
		num("min-io-threads-avoid-copy-reply", "", mod, 0, intMax, 7, hid),
		num("min-string-size-avoid-copy-reply", "", mod, 0, intMax, 16384, hid),
		num("min-string-size-avoid-copy-reply-threaded", "", mod, 0, intMax, 65536, hid),
		num("prefetch-batch-max-size", "", mod, 0, 128, 16, 0),
		num("auto-aof-rewrite-percentage", "", mod, 0, intMax, 100, 0),
		num("cluster-replica-validity-factor", "cluster-slave-validity-factor", mod, 0, intMax, 10, 0),
		num("list-max-listpack-size", "list-max-ziplist-size", mod, intMin, intMax, -2, 0),
		num("tcp-keepalive", "", mod, 0, intMax, 300, 0),
		num("cluster-migration-barrier", "", mod, 0, intMax, 1, 0),
		num("active-defrag-cycle-min", "", mod, 1, 99, 1, 0),
		num("active-defrag-cycle-max", "", mod, 1, 99, 25, 0),
		num("active-defrag-threshold-lower", "", mod, 0, 1000, 10, 0),
		num("active-defrag-threshold-upper", "", mod, 0, 1000, 100, 0),
		num("active-defrag-cycle-us", "", mod, 0, 100000, 500, 0),
		num("lfu-log-factor", "", mod, 0, intMax, 10, 0),
		num("lfu-decay-time", "", mod, 0, intMax, 1, 0),
		num("replica-priority", "slave-priority", mod, 0, intMax, 100, 0),
		num("repl-diskless-sync-delay", "", mod, 0, intMax, 5, 0),
		num("maxmemory-samples", "", mod, 1, 64, 5, 0),
		num("maxmemory-eviction-tenacity", "", mod, 0, 100, 10, 0),
		num("timeout", "", mod, 0, intMax, 0, 0),
		num("replica-announce-port", "slave-announce-port", mod, 0, 65535, 0, 0),
		num("tcp-backlog", "", imm, 0, intMax, 511, 0),
		num("cluster-port", "", imm, 0, 65535, 0, 0),
		num("cluster-announce-bus-port", "", mod, 0, 65535, 0, 0),
		num("cluster-announce-port", "", mod, 0, 65535, 0, 0),
		num("cluster-announce-tls-port", "", mod, 0, 65535, 0, 0),
		num("cluster-announce-client-port", "", mod, 0, 65535, 0, 0),
		num("cluster-announce-client-tls-port", "", mod, 0, 65535, 0, 0),
		num("repl-timeout", "", mod, 1, intMax, 60, 0),
		num("repl-ping-replica-period", "repl-ping-slave-period", mod, 1, intMax, 10, 0),
		num("list-compress-depth", "", mod, 0, intMax, 0, 0),
		num("rdb-key-save-delay", "", mod, intMin, intMax, 0, hid),
		num("key-load-delay", "", mod, intMin, intMax, 0, hid),
		num("active-expire-effort", "", mod, 1, 10, 1, 0),
		hz,
		num("min-replicas-to-write", "min-slaves-to-write", mod, 0, intMax, 0, 0),
		num("min-replicas-max-lag", "min-slaves-max-lag", mod, 0, intMax, 10, 0),
		num("watchdog-period", "", mod, 0, intMax, 0, hid),
		num("shutdown-timeout", "", mod, 0, intMax, 10, 0),
		num("repl-diskless-sync-max-replicas", "", mod, 0, intMax, 0, 0),
		num("rdma-port", "", mod, 0, 65535, 0, 0).chk(rejectNonZero(reasonRDMA)),
		num("rdma-rx-size", "", imm, 64*1024, 16*1024*1024, 1024*1024, 0),
		num("rdma-completion-vector", "", imm, -1, 1024, -1, 0),

		num("maxclients", "", mod, 1, uintMax, 10000, uns),
		num("unixsocketperm", "", imm, 0, 0o777, 0, uns|FlagOctal),
		num("socket-mark-id", "", imm, 0, uintMax, 0, uns),
		num("max-new-connections-per-cycle", "", mod, 1, 1000, 10, uns),
		num("max-new-tls-connections-per-cycle", "", mod, 1, 1000, 1, uns),

		num("active-defrag-max-scan-fields", "", mod, 1, longMax, 1000, uns),
		num("commandlog-slow-execution-max-len", "slowlog-max-len", mod, 0, longMax, 128, uns),
		num("commandlog-large-request-max-len", "", mod, 0, longMax, 128, uns),
		num("commandlog-large-reply-max-len", "", mod, 0, longMax, 128, uns),
		num("acllog-max-len", "", mod, 0, longMax, 128, uns),
		num("cluster-blacklist-ttl", "", mod, 0, ullMax, 60, uns),
		num("cluster-slot-migration-log-max-len", "", mod, 0, longMax, 1000, uns),

		num("busy-reply-threshold", "lua-time-limit", mod, 0, longMax, 5000, 0),
		num("cluster-node-timeout", "", mod, 0, llongMax, 15000, 0),
		num("cluster-ping-interval", "", mod, 0, llongMax, 0, hid),
		num("commandlog-execution-slower-than", "slowlog-log-slower-than", mod, -1, llongMax, 10000, 0),
		num("commandlog-request-larger-than", "", mod, -1, llongMax, 1024*1024, 0),
		num("commandlog-reply-larger-than", "", mod, -1, llongMax, 1024*1024, 0),
		num("latency-monitor-threshold", "", mod, 0, llongMax, 0, 0),
		mem("proto-max-bulk-len", "", mod, 1024*1024, longMax, 512*1024*1024, 0),
		num("stream-node-max-entries", "", mod, 0, llongMax, 100, 0),
		backlog,
		num("cluster-manual-failover-timeout", "", mod, 1, intMax, 5000, 0),

		mem("maxmemory", "", mod, 0, ullMax, 0, uns),
		mem("cluster-link-sendbuf-limit", "", mod, 0, ullMax, 0, uns),

		num("hash-max-listpack-entries", "hash-max-ziplist-entries", mod, 0, longMax, 512, uns),
		num("set-max-intset-entries", "", mod, 0, longMax, 512, uns),
		num("set-max-listpack-entries", "", mod, 0, longMax, 128, uns),
		num("set-max-listpack-value", "", mod, 0, longMax, 64, uns),
		num("zset-max-listpack-entries", "zset-max-ziplist-entries", mod, 0, longMax, 128, uns),
		mem("active-defrag-ignore-bytes", "", mod, 1, llongMax, 100<<20, uns),
		mem("hash-max-listpack-value", "hash-max-ziplist-value", mod, 0, longMax, 64, uns),
		mem("stream-node-max-bytes", "", mod, 0, longMax, 4096, uns),
		mem("zset-max-listpack-value", "zset-max-ziplist-value", mod, 0, longMax, 64, uns),
		mem("hll-sparse-max-bytes", "", mod, 0, longMax, 3000, uns),
		num("tracking-table-max-keys", "", mod, 0, longMax, 1000000, uns),
		mem("client-query-buffer-limit", "", mod, 1024*1024, longMax, 1024*1024*1024, uns),
		mem("maxmemory-clients", "", mod, -100, longMax, 0, FlagPercent),
		mem("slot-migration-max-failover-repl-bytes", "", mod, -1, longMax, 0, FlagSigned),

		num("repl-backlog-ttl", "", mod, 0, longMax, 3600, 0),
		mem("auto-aof-rewrite-min-size", "", mod, 0, llongMax, 64*1024*1024, 0),
		num("loading-process-events-interval-bytes", "", mod, 1024, intMax, 2*1024*1024, hid),

		num("tls-port", "", mod, 0, 65535, 0, 0).chk(rejectNonZero(reasonTLS)),
		num("tls-session-cache-size", "", mod, 0, intMax, 20*1024, 0),
		num("tls-session-cache-timeout", "", mod, 0, intMax, 300, 0),
	}
}

func otherSettings() []Setting {
	return []Setting{
		spc("dir", "", mod, ".", prot, dirOps),
		spc("save", "", mod, "3600 1 300 100 60 10000", mult, saveOps),
		spc("client-output-buffer-limit", "", mod, obufDefault, mult, obufOps),
		spc("oom-score-adj-values", "", mod, "0 200 800", mult, oomOps),
		spc("notify-keyspace-events", "", mod, "", 0, notifyOps),
		spc("bind", "", mod, "* -::*", mult, bindOps),
		spc("rdma-bind", "", mod, "", mult, rdmaBindOps).chk(rejectNonEmpty(reasonRDMA)),
		spc("replicaof", "slaveof", imm, "", mult, replicaofOps),
		spc("latency-tracking-info-percentiles", "", mod, "50 99 99.9", mult, percentilesOps),
	}
}

// deprecatedDirectives are accepted in files and ignored when they carry
// exactly one argument (loadServerConfigFromString's deprecated_configs).
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true,
	"list-max-ziplist-value":   true,
	"lua-replicate-commands":   true,
	"io-threads-do-reads":      true,
	"dynamic-hz":               true,
}
