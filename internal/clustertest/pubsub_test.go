package clustertest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// SSUBSCRIBE / SPUBLISH are routed by the channel's slot like keys.
func TestShardedPubSubRouting(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	mine, _ := keyOwnedBy(c, 0, "chan")
	theirs, theirSlot := keyOwnedBy(c, 1, "chan")
	moved := fmt.Sprintf("-MOVED %d %s\r\n", theirSlot, c.Addr(1))

	r := dialRaw(t, c.Addr(0))
	r.expect(moved, "SSUBSCRIBE", theirs)
	r.expect(moved, "SPUBLISH", theirs, "x")
	r.expect(":0\r\n", "SPUBLISH", mine, "x")

	ctx := context.Background()
	sub := c.Client(0).SSubscribe(ctx, mine)
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	r.expect(":1\r\n", "SPUBLISH", mine, "hello")
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Channel != mine || msg.Payload != "hello" {
		t.Fatalf("got %v, %v", msg, err)
	}
}

// When this shard stops serving a slot, its shard-channel subscribers get
// an "sunsubscribe" push, as Valkey's removeChannelsInSlot sends.
func TestShardChannelsDroppedWithSlot(t *testing.T) {
	c := testutil.StartCluster(t, 2)
	ch, s := keyOwnedBy(c, 0, "chan")
	sub := dialRaw(t, c.Addr(0))
	sub.send("SSUBSCRIBE", ch)
	for _, want := range []string{"*3\r\n", "$10\r\n", "ssubscribe\r\n"} {
		if got := sub.line(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	sub.line()
	sub.line()
	if got := sub.line(); got != ":1\r\n" {
		t.Fatalf("subscribe count %q", got)
	}
	// Hand the (empty) slot to node 1: node 1 takes it, node 0 gives it up.
	id1 := c.NodeID(1)
	c.Do(1, "CLUSTER", "SETSLOT", strconv.Itoa(s), "NODE", id1)
	c.Do(0, "CLUSTER", "SETSLOT", strconv.Itoa(s), "NODE", id1)
	want := []string{"*3\r\n", "$12\r\n", "sunsubscribe\r\n", "$" + strconv.Itoa(len(ch)) + "\r\n", ch + "\r\n", ":0\r\n"}
	for _, w := range want {
		if got := sub.line(); got != w {
			t.Fatalf("got %q, want %q", got, w)
		}
	}
	n, err := c.Client(0).PubSubShardNumSub(context.Background(), ch).Result()
	if err != nil || n[ch] != 0 {
		t.Fatalf("shardnumsub %v %v", n, err)
	}
}

// PUBLISH reaches subscribers on every node over the cluster bus; the
// reply counts local receivers only, as in Valkey.
func TestPublishAcrossNodes(t *testing.T) {
	c := testutil.StartCluster(t, 3)
	ctx := context.Background()
	var subs []*redis.PubSub
	for i := range c.Nodes {
		s := c.Client(i).Subscribe(ctx, "news")
		defer s.Close()
		if _, err := s.Receive(ctx); err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	n, err := c.Client(0).Publish(ctx, "news", "flash").Result()
	if err != nil || n != 1 {
		t.Fatalf("publish = %d, %v; want 1 local receiver", n, err)
	}
	for i, s := range subs {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		msg, err := s.ReceiveMessage(ctx)
		cancel()
		if err != nil || msg.Payload != "flash" {
			t.Fatalf("node %d: %v %v", i, msg, err)
		}
	}
}
