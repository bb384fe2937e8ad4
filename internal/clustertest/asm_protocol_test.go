package clustertest

import (
	"context"
	"testing"

	"github.com/shoal-db/shoal/internal/testutil"
)

// The link's messages are refused on ordinary connections with Valkey's
// error (Shoal's CLAIMED extension included), and the connection stays
// usable.
func TestSyncSlotsLinkOnly(t *testing.T) {
	c := testutil.StartCluster(t, 1)
	ctx := context.Background()
	cl := c.Client(0)
	for _, sub := range []string{"ACK", "SNAPSHOT-EOF", "PAUSED", "FAILOVER-GRANTED", "REQUEST-PAUSE", "REQUEST-FAILOVER", "CLAIMED"} {
		err := cl.Do(ctx, "CLUSTER", "SYNCSLOTS", sub).Err()
		want := "ERR CLUSTER SYNCSLOTS " + sub + " should only be used by slot migration clients"
		if err == nil || err.Error() != want {
			t.Errorf("SYNCSLOTS %s: %v, want %q", sub, err, want)
		}
	}
	if err := cl.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}
