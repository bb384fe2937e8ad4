package repl_test

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

var ctx = context.Background()

// node is a test server with a client.
type node struct {
	s *server.Server
	c *redis.Client
}

func start(t *testing.T, directives ...string) *node {
	t.Helper()
	s := testutil.StartServer(t, directives...)
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1, ReadTimeout: 30 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return &node{s: s, c: c}
}

// follow makes r a replica of p.
func follow(t *testing.T, r, p *node) {
	t.Helper()
	if err := r.c.Do(ctx, "REPLICAOF", "127.0.0.1", p.s.Port()).Err(); err != nil {
		t.Fatalf("REPLICAOF: %v", err)
	}
}

// info returns field of INFO section ("" when absent).
func info(t *testing.T, n *node, section, field string) string {
	t.Helper()
	s, err := n.c.Info(ctx, section).Result()
	if err != nil {
		t.Fatalf("INFO %s: %v", section, err)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == field {
			return v
		}
	}
	return ""
}

func infoInt(t *testing.T, n *node, section, field string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(info(t, n, section, field), 10, 64)
	if err != nil {
		t.Fatalf("INFO %s %s: %q", section, field, info(t, n, section, field))
	}
	return v
}

// waitSynced waits until r's link is up and it applied everything p sent.
func waitSynced(t *testing.T, p, r *node) {
	t.Helper()
	testutil.WaitFor(t, 30*time.Second, "replica in sync with its primary", func() bool {
		return info(t, r, "replication", "master_link_status") == "up" &&
			info(t, r, "replication", "master_repl_offset") == info(t, p, "replication", "master_repl_offset")
	})
}

// dataset renders every key of databases 0..dbs-1 canonically: type,
// value and absolute expiry (hash fields with theirs).
func dataset(t *testing.T, n *node, dbs int) map[string]string {
	t.Helper()
	out := map[string]string{}
	for db := 0; db < dbs; db++ {
		c := redis.NewClient(&redis.Options{Addr: n.s.Addr(), DB: db})
		var keys []string
		iter := c.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatalf("SCAN: %v", err)
		}
		for _, k := range keys {
			out[fmt.Sprintf("%d/%s", db, k)] = render(t, c, k)
		}
		_ = c.Close()
	}
	return out
}

func render(t *testing.T, c *redis.Client, k string) string {
	t.Helper()
	typ := c.Type(ctx, k).Val()
	var v string
	switch typ {
	case "string":
		v = c.Get(ctx, k).Val()
	case "list":
		v = strings.Join(c.LRange(ctx, k, 0, -1).Val(), ",")
	case "set":
		m := c.SMembers(ctx, k).Val()
		sort.Strings(m)
		v = strings.Join(m, ",")
	case "zset":
		for _, z := range c.ZRangeWithScores(ctx, k, 0, -1).Val() {
			v += fmt.Sprintf("%v=%v,", z.Member, z.Score)
		}
	case "hash":
		h := c.HGetAll(ctx, k).Val()
		fields := make([]string, 0, len(h))
		for f := range h {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			v += f + "=" + h[f]
			if at := c.Do(ctx, "HPEXPIRETIME", k, "FIELDS", 1, f).Val(); at != nil {
				v += fmt.Sprintf("@%v", at)
			}
			v += ","
		}
	}
	return fmt.Sprintf("%s:%s@%d", typ, v, c.PExpireTime(ctx, k).Val())
}

func compareData(t *testing.T, p, r *node, dbs int) {
	t.Helper()
	want, got := dataset(t, p, dbs), dataset(t, r, dbs)
	if len(want) != len(got) {
		t.Errorf("replica has %d keys, primary %d", len(got), len(want))
	}
	bad := 0
	for k, v := range want {
		if got[k] != v {
			bad++
			if bad <= 5 {
				t.Errorf("key %s: replica %.200q, primary %.200q", k, got[k], v)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d keys differ", bad)
	}
}
