package repl_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// CLUSTER RESET of a replica whose primary keeps writing answers once the
// replica stopped replicating and its data is gone: DBSIZE is 0 right
// after the OK and stays 0 while the primary goes on writing. (A flush
// queued before the link stopped let the last streamed writes land after
// it: keys left on a node that redis-cli del-node had just reset.)
func TestClusterResetReplicaUnderWrites(t *testing.T) {
	c := testutil.StartClusterNodes(t, 2)
	p, r := c.Client(0), c.Client(1)
	c.Do(0, "CLUSTER", "MEET", "127.0.0.1", c.Nodes[1].Port(), c.Nodes[1].ClusterPort())
	c.Do(0, "CLUSTER", "ADDSLOTSRANGE", 0, 16383)
	id0 := c.NodeID(0)
	testutil.WaitFor(t, 20*time.Second, "node 1 knows node 0", func() bool {
		return r.Do(ctx, "CLUSTER", "REPLICATE", id0).Err() == nil
	})
	testutil.WaitFor(t, 20*time.Second, "the replica's link is up", func() bool { return linkUp(r) })
	testutil.WaitFor(t, 20*time.Second, "cluster_state:ok on the primary", func() bool { return c.StateOK(0) })

	// Pipelined writes keep the link busy, so the reset lands while
	// commands are in flight on it.
	var stop atomic.Bool
	var written atomic.Int64
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			pipe := p.Pipeline()
			for j := 0; j < 50; j++ {
				pipe.Set(ctx, fmt.Sprintf("k%d", (i*50+j)%5000), i, 0)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				werr = err
				return
			}
			written.Add(50)
		}
	}()
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	testutil.WaitFor(t, 20*time.Second, "the replica holds the writes", func() bool {
		return r.DBSize(ctx).Val() > 1000
	})

	if err := r.Do(ctx, "CLUSTER", "RESET", "SOFT").Err(); err != nil {
		t.Fatalf("CLUSTER RESET: %v", err)
	}
	if n := r.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("DBSIZE right after CLUSTER RESET: %d", n)
	}
	from := written.Load()
	testutil.WaitFor(t, 20*time.Second, "the primary writes on", func() bool { return written.Load() > from+5000 })
	if n := r.DBSize(ctx).Val(); n != 0 {
		t.Fatalf("DBSIZE after the primary wrote on: %d", n)
	}
	if role, _ := clusterRole(r, c.NodeID(1)); role != "master" {
		t.Fatalf("the reset replica's role: %q", role)
	}
	stop.Store(true)
	wg.Wait()
	if werr != nil {
		t.Fatalf("writes to the primary: %v", werr)
	}
}
