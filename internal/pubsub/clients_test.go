package pubsub_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/valkey-io/valkey-go"

	"github.com/shoal-db/shoal/internal/testutil"
)

// confirm reads n subscription confirmations from ps.
func confirm(t *testing.T, ctx context.Context, ps *redis.PubSub, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			t.Fatalf("confirmation %d: %v", i, err)
		}
		if _, ok := msg.(*redis.Subscription); !ok {
			t.Fatalf("confirmation %d: got %T %v", i, msg, msg)
		}
	}
}

func receive(t *testing.T, ctx context.Context, ps *redis.PubSub) *redis.Message {
	t.Helper()
	msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	m, ok := msg.(*redis.Message)
	if !ok {
		t.Fatalf("receive: got %T %v", msg, msg)
	}
	return m
}

func TestGoRedisPubSub(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			srv := testutil.StartServer(t)
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer rdb.Close()

			ps := rdb.Subscribe(ctx, "news", "sport")
			defer ps.Close()
			confirm(t, ctx, ps, 2)
			if err := ps.PSubscribe(ctx, "w*"); err != nil {
				t.Fatal(err)
			}
			confirm(t, ctx, ps, 1)

			if n, err := rdb.Publish(ctx, "news", "hello").Result(); err != nil || n != 1 {
				t.Fatalf("PUBLISH news = %d, %v", n, err)
			}
			if m := receive(t, ctx, ps); m.Channel != "news" || m.Payload != "hello" || m.Pattern != "" {
				t.Fatalf("got %+v", m)
			}
			if n, _ := rdb.Publish(ctx, "weather", "rain").Result(); n != 1 {
				t.Fatalf("PUBLISH weather reached %d", n)
			}
			if m := receive(t, ctx, ps); m.Channel != "weather" || m.Payload != "rain" || m.Pattern != "w*" {
				t.Fatalf("got %+v", m)
			}

			if got, _ := rdb.PubSubChannels(ctx, "*").Result(); strings.Join(got, ",") != "news,sport" {
				t.Fatalf("PUBSUB CHANNELS = %v", got)
			}
			if got, _ := rdb.PubSubNumSub(ctx, "news", "none").Result(); got["news"] != 1 || got["none"] != 0 {
				t.Fatalf("PUBSUB NUMSUB = %v", got)
			}
			if got, _ := rdb.PubSubNumPat(ctx).Result(); got != 1 {
				t.Fatalf("PUBSUB NUMPAT = %d", got)
			}

			if err := ps.Unsubscribe(ctx, "news"); err != nil {
				t.Fatal(err)
			}
			msg, err := ps.ReceiveTimeout(ctx, 5*time.Second)
			if s, ok := msg.(*redis.Subscription); err != nil || !ok || s.Kind != "unsubscribe" || s.Channel != "news" || s.Count != 2 {
				t.Fatalf("unsubscribe confirmation = %+v, %v", msg, err)
			}
			if n, _ := rdb.Publish(ctx, "news", "gone").Result(); n != 0 {
				t.Fatalf("PUBLISH after unsubscribe reached %d", n)
			}

			// Sharded channels.
			ss := rdb.SSubscribe(ctx, "{s}a")
			defer ss.Close()
			confirm(t, ctx, ss, 1)
			if n, err := rdb.SPublish(ctx, "{s}a", "m").Result(); err != nil || n != 1 {
				t.Fatalf("SPUBLISH = %d, %v", n, err)
			}
			if m := receive(t, ctx, ss); m.Channel != "{s}a" || m.Payload != "m" {
				t.Fatalf("smessage %+v", m)
			}
			if got, _ := rdb.PubSubShardChannels(ctx, "").Result(); len(got) != 0 {
				t.Fatalf("SHARDCHANNELS '' = %v", got)
			}
			if got, _ := rdb.PubSubShardNumSub(ctx, "{s}a").Result(); got["{s}a"] != 1 {
				t.Fatalf("SHARDNUMSUB = %v", got)
			}
		})
	}
}

// TestManyPublishers checks that every message arrives exactly once and
// that each publisher's messages arrive in the order it sent them.
func TestManyPublishers(t *testing.T) {
	srv := testutil.StartServer(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: 16})
	defer rdb.Close()
	ps := rdb.Subscribe(ctx, "bus")
	defer ps.Close()
	confirm(t, ctx, ps, 1)
	if err := ps.PSubscribe(ctx, "b*"); err != nil {
		t.Fatal(err)
	}
	confirm(t, ctx, ps, 1)

	const publishers, perPublisher = 8, 300
	var wg sync.WaitGroup
	for p := 0; p < publishers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < perPublisher; i++ {
				if n, err := rdb.Publish(ctx, "bus", fmt.Sprintf("%d:%d", p, i)).Result(); err != nil || n != 2 {
					t.Errorf("publish: %d, %v", n, err)
					return
				}
			}
		}(p)
	}
	next := map[string][publishers]int{"": {}, "b*": {}}
	for got := 0; got < 2*publishers*perPublisher; got++ {
		m := receive(t, ctx, ps)
		var p, i int
		if _, err := fmt.Sscanf(m.Payload, "%d:%d", &p, &i); err != nil {
			t.Fatalf("payload %q", m.Payload)
		}
		seq := next[m.Pattern]
		if seq[p] != i {
			t.Fatalf("publisher %d (pattern %q): got message %d, want %d", p, m.Pattern, i, seq[p])
		}
		seq[p]++
		next[m.Pattern] = seq
	}
	wg.Wait()
}

func TestValkeyGoRESP3Push(t *testing.T) {
	srv := testutil.StartServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	msgs := make(chan valkey.PubSubMessage, 16)
	done := make(chan error, 2)
	go func() {
		done <- c.Receive(ctx, c.B().Subscribe().Channel("ch").Build(), func(m valkey.PubSubMessage) { msgs <- m })
	}()
	go func() {
		done <- c.Receive(ctx, c.B().Psubscribe().Pattern("c*").Build(), func(m valkey.PubSubMessage) { msgs <- m })
	}()
	hub := srv.Node().PubSub
	testutil.WaitFor(t, 5*time.Second, "subscriptions registered", func() bool {
		return hub.NumChannels() == 1 && hub.NumPatterns() == 1
	})
	// Normal commands keep working on the shared RESP3 connection.
	if err := c.Do(ctx, c.B().Set().Key("k").Value("v").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	n, err := c.Do(ctx, c.B().Publish().Channel("ch").Message("hi").Build()).AsInt64()
	if err != nil || n != 2 {
		t.Fatalf("PUBLISH = %d, %v", n, err)
	}
	got := map[string]bool{}
	for i := 0; i < 2; i++ {
		select {
		case m := <-msgs:
			got[m.Pattern+"|"+m.Channel+"|"+m.Message] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out; got %v", got)
		}
	}
	if !got["|ch|hi"] || !got["c*|ch|hi"] {
		t.Fatalf("got %v", got)
	}
	if v, err := c.Do(ctx, c.B().Get().Key("k").Build()).ToString(); err != nil || v != "v" {
		t.Fatalf("GET = %q, %v", v, err)
	}
	cancel()
	for i := 0; i < 2; i++ {
		<-done
	}
}
