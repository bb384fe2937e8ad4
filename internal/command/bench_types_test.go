package command

import (
	"testing"

	"github.com/shoal-db/shoal/internal/config"
	"github.com/shoal-db/shoal/internal/keyspace"
)

// BenchmarkExecTypes runs the requests of redis-benchmark's type tests
// (bench/types.sh runs it without -r, so each test hits one key with one
// member) through the whole dispatcher, one client, no network: the
// server-side cost per request that decides those tests at -P 16.
func BenchmarkExecTypes(b *testing.B) {
	cases := []struct {
		name string
		argv []string
	}{
		{"lpush", []string{"LPUSH", "mylist", "xxx"}},
		{"lpop", []string{"LPOP", "mylist"}},
		{"sadd", []string{"SADD", "myset", "element:__rand_int__"}},
		{"hset", []string{"HSET", "myhash", "element:__rand_int__", "xxx"}},
		{"spop", []string{"SPOP", "myset"}},
		{"zadd", []string{"ZADD", "myzset", "0", "element:__rand_int__"}},
		{"set", []string{"SET", "key:__rand_int__", "xxx"}},
		{"get", []string{"GET", "key:__rand_int__"}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			n := NewNode(keyspace.New(keyspace.Options{Databases: 16}), config.New(), benchHost{})
			c, w := benchClient(n)
			argv := make([][]byte, len(tc.argv))
			for i, a := range tc.argv {
				argv[i] = []byte(a)
			}
			// LPOP and SPOP need something to pop: a long list, a set
			// refilled by SADD as redis-benchmark's run order does.
			fill := [][]byte{[]byte("LPUSH"), []byte("mylist"), []byte("xxx")}
			for i := 0; i < b.N+1; i++ {
				n.Exec(c, w, fill)
				w.Reset()
			}
			n.Exec(c, w, [][]byte{[]byte("SADD"), []byte("myset"), []byte("element:__rand_int__")})
			w.Reset()
			b.ReportAllocs()
			ct := startCPUTimer(b)
			defer ct.report(b)
			for i := 0; i < b.N; i++ {
				if i%16 == 0 {
					// A read of 16 pipelined requests, as at -P 16.
					markInput(c, n)
				}
				n.Exec(c, w, argv)
				if w.Len() > 16<<10 {
					w.Reset()
				}
			}
		})
	}
}

// markInput does what the connection does when input arrives.
func markInput(c *Client, n *Node) { c.InputArrived(n.KS.Mono()) }
