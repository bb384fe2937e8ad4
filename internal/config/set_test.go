package config

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
)

func TestSetErrors(t *testing.T) {
	tests := []struct {
		pairs [][2]string
		want  string
	}{
		{[][2]string{{"foo", "bar"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"maxmemory", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"MAXMEMORY", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"databases", "4"}}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[][2]string{{"DATABASES", "4"}}, "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set immutable config"},
		{[][2]string{{"maxmemory", "1"}, {"MAXMEMORY", "2"}}, "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"},
		{[][2]string{{"port", "70000"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"},
		{[][2]string{{"port", "01"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"},
		{[][2]string{{"slave-read-only", "maybe"}}, "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"},
		{[][2]string{{"dir", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"dbfilename", "x.rdb"}}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
		{[][2]string{{"daemonize", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[][2]string{{"unixsocket", "/x"}}, "ERR CONFIG SET failed (possibly related to argument 'unixsocket') - can't set immutable config"},
		{[][2]string{{"replicaof", "a 1"}}, "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"},
		{[][2]string{{"save", "3600 1 300"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", "3600 1  300 100"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"client-output-buffer-limit", "master 1 1 1"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."},
		{[][2]string{{"notify-keyspace-events", "q"}}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[][2]string{{"maxmemory-policy", "lru"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{[][2]string{{"loglevel", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing"},
		{[][2]string{{"maxclients", "0"}}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
		{[][2]string{{"tls-port", "6380"}}, "ERR CONFIG SET failed (possibly related to argument 'tls-port') - " + reasonTLS},
		{[][2]string{{"shutdown-on-sigterm", "save nosave"}}, "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - shutdown options SAVE and NOSAVE can't be used simultaneously"},
		// The first problem found wins, in argument order.
		{[][2]string{{"databases", "1"}, {"foo", "2"}}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[][2]string{{"foo", "1"}, {"databases", "2"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"maxmemory", "x"}, {"foo", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"maxmemory", "x"}, {"hz", "y"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
	}
	for _, tt := range tests {
		c := New()
		err := c.Set(tt.pairs)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Set(%q) = %v, want %q", tt.pairs, err, tt.want)
		}
	}
}

func TestSetIsAtomic(t *testing.T) {
	c := New()
	err := c.Set([][2]string{{"maxmemory", "1mb"}, {"hz", "20"}, {"port", "nope"}})
	if err == nil {
		t.Fatal("invalid port accepted")
	}
	if c.get("maxmemory") != "0" || c.get("hz") != "10" {
		t.Errorf("partial update: maxmemory %q hz %q", c.get("maxmemory"), c.get("hz"))
	}
	if err := c.Set([][2]string{{"maxmemory", "1mb"}, {"hz", "20"}, {"maxmemory-policy", "ALLKEYS-LFU"}}); err != nil {
		t.Fatal(err)
	}
	if c.get("maxmemory") != "1048576" || c.get("hz") != "20" || c.get("maxmemory-policy") != "allkeys-lfu" {
		t.Error("values not stored")
	}
}

func TestSetCanonicalValues(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"maxmemory", "1KB", "1024"}, {"maxmemory", "", "0"}, {"maxmemory", "5b", "5"}, {"maxmemory", "2g", "2000000000"},
		{"protected-mode", "NO", "no"}, {"hz", "1000", "500"}, {"hz", "0", "1"}, {"repl-backlog-size", "1", "16384"},
		{"notify-keyspace-events", "KEA", "AKE"}, {"notify-keyspace-events", "Kx$", "$xK"},
		{"notify-keyspace-events", "Eg$lshzxetd", "AE"}, {"notify-keyspace-events", "KEAmn", "AnKEm"}, {"notify-keyspace-events", "nK", "nK"},
		{"save", "", ""}, {"save", "3600 1 300 100", "3600 1 300 100"}, {"save", "+5 06", "5 6"},
		{"client-output-buffer-limit", "normal 1mb 2mb 3 replica 1 1 1", "normal 1048576 2097152 3 slave 1 1 1 pubsub 33554432 8388608 60"},
		{"bind", "127.0.0.1 -::1", "127.0.0.1 -::1"}, {"bind", "", ""},
		{"maxmemory-clients", "10%", "10%"}, {"maxmemory-clients", "1mb", "1048576"},
		{"oom-score-adj", "relative", "yes"}, {"acl-pubsub-default", "ALLCHANNELS", "allchannels"},
		{"shutdown-on-sigint", "now save", "save now"}, {"shutdown-on-sigint", "default", "default"},
		{"slowlog-log-slower-than", "-1", "-1"}, {"slot-migration-max-failover-repl-bytes", "-1", "-1"},
		{"latency-tracking-info-percentiles", "50 99.90 100", "50 99.9 100"}, {"cluster-blacklist-ttl", "-1", "-1"},
		{"masterauth", "secret", "secret"},
	}
	for _, tt := range tests {
		c := New()
		if err := c.Set([][2]string{{tt.name, tt.value}}); err != nil {
			t.Errorf("Set %s %q: %v", tt.name, tt.value, err)
			continue
		}
		if got := c.get(tt.name); got != tt.want {
			t.Errorf("Set %s %q: got %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}

// TestSetAliasTwice follows Valkey: an alias is its own entry, so naming
// a setting by both names is not a duplicate and the last one wins.
func TestSetAliasTwice(t *testing.T) {
	c := New()
	if err := c.Set([][2]string{{"slave-read-only", "yes"}, {"replica-read-only", "no"}}); err != nil {
		t.Fatal(err)
	}
	if c.get("slave-read-only") != "no" {
		t.Error("last value did not win")
	}
}

func TestSetProtected(t *testing.T) {
	dir := t.TempDir()
	c := New()
	if err := c.LoadString("x.conf", "enable-protected-configs local"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set([][2]string{{"dir", dir}}); err == nil {
		t.Error("remote client changed dir")
	}
	if err := c.SetWith([][2]string{{"dir", dir}, {"dbfilename", "x.rdb"}}, SetOptions{LocalClient: true}); err != nil {
		t.Fatal(err)
	}
	if c.Dir() != dir || c.get("dbfilename") != "x.rdb" {
		t.Errorf("dir %q dbfilename %q", c.Dir(), c.get("dbfilename"))
	}
	if err := c.LoadString("x.conf", "enable-protected-configs yes"); err != nil {
		t.Fatal(err)
	}
	want := "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
	if err := c.Set([][2]string{{"dbfilename", "a/b"}}); err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	want = "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
	if err := c.Set([][2]string{{"dir", dir + "/missing"}}); err == nil || err.Error() != want {
		t.Errorf("got %v", err)
	}
	// A relative dir resolves against the current one, like chdir.
	writeFile(t, dir+"/sub/f", "")
	if err := c.Set([][2]string{{"dir", "sub"}}); err != nil || c.Dir() != dir+"/sub" {
		t.Errorf("relative dir: %v, %q", err, c.Dir())
	}
}

func TestHooks(t *testing.T) {
	c := New()
	var log []string
	c.OnChange("maxmemory", func(v string) error { log = append(log, "maxmemory="+v); return nil })
	c.OnChange("slave-read-only", func(v string) error { log = append(log, "ro="+v); return nil })
	groupRuns := 0
	c.OnAnyChange(func() error {
		groupRuns++
		// Hooks may read the configuration: the new values are visible.
		log = append(log, "evict "+c.get("maxmemory")+" "+c.get("maxmemory-policy"))
		return nil
	}, "maxmemory", "maxmemory-policy", "maxmemory-samples")
	if err := c.ApplyAll(); err != nil {
		t.Fatal(err)
	}
	want := []string{"maxmemory=0", "ro=yes", "evict 0 noeviction"}
	if fmt.Sprint(log) != fmt.Sprint(want) {
		t.Fatalf("ApplyAll ran %q, want %q", log, want)
	}
	log = nil
	if err := c.Set([][2]string{{"maxmemory", "1mb"}, {"maxmemory-policy", "allkeys-lru"}, {"hz", "5"}}); err != nil {
		t.Fatal(err)
	}
	want = []string{"maxmemory=1048576", "evict 1048576 allkeys-lru"}
	if fmt.Sprint(log) != fmt.Sprint(want) || groupRuns != 2 {
		t.Fatalf("Set ran %q (group %d), want %q", log, groupRuns, want)
	}
	// Unchanged values do not run hooks.
	log = nil
	if err := c.Set([][2]string{{"maxmemory", "1MB"}, {"replica-read-only", "yes"}}); err != nil {
		t.Fatal(err)
	}
	if len(log) != 0 {
		t.Fatalf("hooks ran for unchanged values: %q", log)
	}
}

func TestHookFailureRestores(t *testing.T) {
	c := New()
	var seen []string
	c.OnChange("maxmemory", func(v string) error { seen = append(seen, "mm="+v); return nil })
	c.OnChange("port", func(v string) error {
		seen = append(seen, "port="+v)
		if v == "7000" {
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		return nil
	})
	err := c.Set([][2]string{{"maxmemory", "5mb"}, {"port", "7000"}})
	want := "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if c.get("maxmemory") != "0" || c.get("port") != "6379" {
		t.Errorf("not restored: maxmemory %q port %q", c.get("maxmemory"), c.get("port"))
	}
	wantSeen := "[mm=5242880 port=7000 mm=0 port=6379]"
	if fmt.Sprint(seen) != wantSeen {
		t.Errorf("hooks ran %v, want %s", seen, wantSeen)
	}
}

func TestOnChangeUnknownPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	New().OnChange("nosuch", func(string) error { return nil })
}

func TestSetInternal(t *testing.T) {
	c := New()
	if err := c.SetInternal("replicaof", "10.0.0.1", "6380"); err != nil {
		t.Fatal(err)
	}
	if c.get("slaveof") != "10.0.0.1 6380" {
		t.Errorf("replicaof %q", c.get("replicaof"))
	}
	if err := c.SetInternal("replicaof", "no", "one"); err != nil || c.get("replicaof") != "" {
		t.Errorf("no one: %v %q", err, c.get("replicaof"))
	}
	if err := c.SetInternal("replicaof", "h", "x"); err == nil {
		t.Error("bad port accepted")
	}
	if err := c.SetInternal("nosuch", "x"); err == nil {
		t.Error("unknown accepted")
	}
}

// TestConcurrentSetGet is for the race detector: CONFIG SET from several
// clients while others read.
func TestConcurrentSetGet(t *testing.T) {
	c := New()
	c.OnChange("hz", func(v string) error { _ = c.get("maxmemory"); return nil })
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if err := c.Set([][2]string{{"hz", strconv.Itoa(1 + (w*200+i)%400)}, {"maxmemory", strconv.Itoa(i) + "kb"}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				_ = c.Match("*max*", "hz")
				_ = c.Int("hz")
				_, _ = c.Get("maxmemory")
				_ = c.File()
			}
		}()
	}
	wg.Wait()
}
