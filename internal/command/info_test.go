package command_test

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func sectionTitles(txt string) []string {
	var out []string
	for _, line := range strings.Split(txt, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			out = append(out, strings.TrimPrefix(line, "# "))
		}
	}
	return out
}

func TestInfoSectionSelection(t *testing.T) {
	srv := startAdmin(t)
	rdb := newClient(t, srv, 2)
	ctx := context.Background()
	cases := []struct {
		args []string
		want string
	}{
		{nil, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"},
		{[]string{"default"}, "Server Clients Memory Persistence Stats Replication CPU Modules Errorstats Cluster Keyspace"},
		{[]string{"all"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"},
		{[]string{"everything"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Latencystats Cluster Keyspace"},
		{[]string{"SERVER", "clients"}, "Server Clients"},
		{[]string{"keyspace", "server"}, "Server Keyspace"},
		{[]string{"default", "commandstats"}, "Server Clients Memory Persistence Stats Replication CPU Modules Commandstats Errorstats Cluster Keyspace"},
		{[]string{"nosuch"}, ""},
	}
	for _, tc := range cases {
		txt, err := rdb.Info(ctx, tc.args...).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(sectionTitles(txt), " "); got != tc.want {
			t.Errorf("INFO %v sections = %q, want %q", tc.args, got, tc.want)
		}
		if tc.want == "" && txt != "" {
			t.Errorf("INFO %v = %q, want empty", tc.args, txt)
		}
	}
}

// TestInfoFormat checks that every line is "field:value" with a unique
// field, that sections are separated by one blank line, and that the reply
// is the same text under RESP2 and RESP3 (a verbatim string there).
func TestInfoFormat(t *testing.T) {
	srv := startAdmin(t)
	field := regexp.MustCompile(`^[A-Za-z0-9_|-]+:[^\r\n]*$`)
	for _, proto := range []int{2, 3} {
		rdb := newClient(t, srv, proto)
		txt, err := rdb.Info(context.Background(), "everything").Result()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(txt, "# Server\r\n") || !strings.HasSuffix(txt, "\r\n") {
			t.Fatalf("RESP%d: INFO does not start with # Server or end with CRLF: %q", proto, txt)
		}
		seen := map[string]bool{}
		for _, block := range strings.Split(strings.TrimSuffix(txt, "\r\n"), "\r\n\r\n") {
			lines := strings.Split(block, "\r\n")
			if !strings.HasPrefix(lines[0], "# ") {
				t.Errorf("RESP%d: block without a title: %q", proto, block)
			}
			for _, l := range lines[1:] {
				if !field.MatchString(l) {
					t.Errorf("RESP%d: malformed line %q", proto, l)
					continue
				}
				name := l[:strings.IndexByte(l, ':')]
				if seen[name] {
					t.Errorf("RESP%d: duplicate field %q", proto, name)
				}
				seen[name] = true
			}
		}
	}
}

func TestInfoFields(t *testing.T) {
	srv := startAdmin(t)
	rdb := newClient(t, srv, 3)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := rdb.Set(ctx, "k"+strconv.Itoa(i), "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rdb.Get(ctx, "k0")
	rdb.Get(ctx, "missing")
	// Connection set-up may itself have drawn errors (a client probing
	// optional commands), so errors are checked as a difference.
	before := infoFields(t, rdb, "everything")
	doErr(t, rdb, "nosuchcommand")
	f := infoFields(t, rdb, "everything")
	errCount := func(m map[string]string) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(m["errorstat_ERR"], "count="))
		return n
	}
	if errCount(f) != errCount(before)+1 {
		t.Errorf("errorstat_ERR went from %q to %q", before["errorstat_ERR"], f["errorstat_ERR"])
	}
	if tot, _ := strconv.Atoi(f["total_error_replies"]); tot != errCount(f) {
		t.Errorf("total_error_replies = %q, errorstat_ERR = %q", f["total_error_replies"], f["errorstat_ERR"])
	}
	want := map[string]string{
		"redis_version": "7.2.4", "server_name": "valkey", "valkey_version": "9.0.0",
		"server_mode": "standalone", "tcp_port": strconv.Itoa(srv.Port()),
		"process_id": strconv.Itoa(os.Getpid()), "role": "master", "connected_slaves": "0",
		"maxmemory": "0", "maxmemory_policy": "noeviction", "cluster_enabled": "0",
		"db0":           "keys=5,expires=0,avg_ttl=0,keys_with_volatile_items=0",
		"keyspace_hits": "1", "keyspace_misses": "1", "loading": "0", "rdb_changes_since_last_save": "5",
		"aof_enabled": "0", "master_repl_offset": "0",
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q", k, f[k], v)
		}
	}
	for _, k := range []string{"used_memory", "used_memory_rss", "used_memory_peak", "used_memory_dataset",
		"connected_clients", "total_connections_received", "total_commands_processed", "uptime_in_seconds"} {
		n, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil || (n <= 0 && k != "uptime_in_seconds") {
			t.Errorf("%s = %q, want a positive integer", k, f[k])
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(f["run_id"]) ||
		!regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(f["master_replid"]) {
		t.Errorf("run_id %q / master_replid %q are not 40 hex digits", f["run_id"], f["master_replid"])
	}
	for _, k := range []string{"used_cpu_sys", "used_cpu_user"} {
		if !regexp.MustCompile(`^\d+\.\d{6}$`).MatchString(f[k]) {
			t.Errorf("%s = %q", k, f[k])
		}
	}
	if !regexp.MustCompile(`^\d+\.\d{2}$`).MatchString(f["mem_fragmentation_ratio"]) {
		t.Errorf("mem_fragmentation_ratio = %q", f["mem_fragmentation_ratio"])
	}
	if !strings.HasSuffix(f["used_memory_human"], "M") && !strings.HasSuffix(f["used_memory_human"], "K") {
		t.Errorf("used_memory_human = %q", f["used_memory_human"])
	}
	if !regexp.MustCompile(`^calls=5,usec=\d+,usec_per_call=\d+\.\d{2},rejected_calls=0,failed_calls=0$`).
		MatchString(f["cmdstat_set"]) {
		t.Errorf("cmdstat_set = %q", f["cmdstat_set"])
	}
	if !strings.HasPrefix(f["cmdstat_info"], "calls=") {
		t.Errorf("cmdstat_info = %q (INFO counts itself once it has run)", f["cmdstat_info"])
	}
}

// TestInfoInstantaneousOps drives the sampler the cron calls and checks
// that instantaneous_ops_per_sec reflects the load between samples.
func TestInfoInstantaneousOps(t *testing.T) {
	srv := startAdmin(t)
	rdb := newClient(t, srv, 2)
	ctx := context.Background()
	node := srv.Node()
	node.SampleStats()
	pipe := rdb.Pipeline()
	for i := 0; i < 2000; i++ {
		pipe.Set(ctx, "k", i, 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	node.SampleStats()
	f := infoFields(t, rdb, "stats")
	ops, err := strconv.Atoi(f["instantaneous_ops_per_sec"])
	if err != nil || ops <= 0 {
		t.Fatalf("instantaneous_ops_per_sec = %q, want > 0", f["instantaneous_ops_per_sec"])
	}
	if f["instantaneous_input_kbps"] == "" || f["instantaneous_output_kbps"] == "" {
		t.Error("missing instantaneous kbps fields")
	}
}
