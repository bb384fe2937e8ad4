package pubsub_test

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/command"
	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
)

// notify fires a keyspace event the way a command does, through a Tx.
func notify(srv *server.Server, db int, class uint32, event, key string) {
	tx := srv.Keyspace().NewTx()
	tx.Begin(db)
	tx.Notify(class, event, []byte(key))
	tx.Finish()
}

func TestKeyspaceNotifications(t *testing.T) {
	srv := testutil.StartServer(t, "--notify-keyspace-events", "KEA")
	sub := dialRaw(t, srv)
	sub.do(push(2, "psubscribe", "__key*__:*", ":1"), "PSUBSCRIBE", "__key*__:*")
	sub.do(push(2, "subscribe", "__keyevent@3__:del", ":2"), "SUBSCRIBE", "__keyevent@3__:del")

	notify(srv, 0, keyspace.NotifyString, "set", "foo")
	sub.expect(push(2, "pmessage", "__key*__:*", "__keyspace@0__:foo", "set"))
	sub.expect(push(2, "pmessage", "__key*__:*", "__keyevent@0__:set", "foo"))

	// A channel subscriber and a pattern subscriber both get the event.
	notify(srv, 3, keyspace.NotifyGeneric, "del", "k")
	sub.expect(push(2, "pmessage", "__key*__:*", "__keyspace@3__:k", "del"))
	direct := push(2, "message", "__keyevent@3__:del", "k")
	pattern := push(2, "pmessage", "__key*__:*", "__keyevent@3__:del", "k")
	got := sub.read(len(direct) + len(pattern))
	if got != direct+pattern && got != pattern+direct {
		t.Fatalf("keyevent deliveries = %q", got)
	}

	// Classes that are not enabled do not publish.
	srv2 := testutil.StartServer(t, "--notify-keyspace-events", "Kg")
	sub2 := dialRaw(t, srv2)
	sub2.do(push(2, "psubscribe", "*", ":1"), "PSUBSCRIBE", "*")
	notify(srv2, 0, keyspace.NotifyString, "set", "foo")
	notify(srv2, 0, keyspace.NotifyGeneric, "expire", "foo")
	sub2.expect(push(2, "pmessage", "*", "__keyspace@0__:foo", "expire"))
	sub2.silent(50 * time.Millisecond)
}

var monitorLine = regexp.MustCompile(`^\+\d{10}\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] (.*)\r\n$`)

func TestMonitor(t *testing.T) {
	srv := testutil.StartServer(t)
	mon, other := dialRaw(t, srv), dialRaw(t, srv)
	mon.do("+OK\r\n", "MONITOR")
	other.do("+OK\r\n", "SET", "k", "v")
	line := mon.line()
	m := monitorLine.FindStringSubmatch(line)
	if m == nil || m[1] != "0" || m[2] != `"SET" "k" "v"` {
		t.Fatalf("monitor line %q", line)
	}
	// Arguments are quoted as sdscatrepr does; the database follows SELECT.
	other.do("+OK\r\n", "SELECT", "2")
	if m := monitorLine.FindStringSubmatch(mon.line()); m == nil || m[1] != "2" || m[2] != `"SELECT" "2"` {
		t.Fatalf("SELECT line %q", m)
	}
	other.do(":0\r\n", "PUBLISH", "a\"b\\c", "x\n\x01\xff y")
	if m := monitorLine.FindStringSubmatch(mon.line()); m == nil || m[2] != `"PUBLISH" "a\"b\\c" "x\n\x01\xff y"` {
		t.Fatalf("quoted line %q", m)
	}
	// A second MONITOR is ignored without a reply; several monitors all
	// get every line.
	mon.send("MONITOR")
	mon2 := dialRaw(t, srv)
	mon2.do("+OK\r\n", "MONITOR")
	other.do("$-1\r\n", "GET", "zz")
	for _, c := range []*rawConn{mon, mon2} {
		if m := monitorLine.FindStringSubmatch(c.line()); m == nil || m[2] != `"GET" "zz"` {
			t.Fatalf("GET line %q", m)
		}
	}
	monitors := 0
	for _, c := range srv.Node().Clients.All() {
		if c.Flag(command.ClientMonitor) {
			monitors++
		}
	}
	if monitors != 2 {
		t.Fatalf("%d clients have the monitor flag", monitors)
	}
	// Disconnecting stops the feed; RESET leaves monitor mode.
	mon.nc.Close()
	mon2.do("+RESET\r\n", "RESET")
	other.do("+OK\r\n", "SET", "a", "b")
	mon2.silent(50 * time.Millisecond)
	testutil.WaitFor(t, 5*time.Second, "monitor flags cleared", func() bool {
		for _, c := range srv.Node().Clients.All() {
			if c.Flag(command.ClientMonitor) {
				return false
			}
		}
		return true
	})
}

// TestSlowSubscriberDoesNotBlockPublish: a subscriber that stops reading
// must not slow publishers down; once its backlog passes the pub/sub
// output limit the server drops it.
func TestSlowSubscriberDoesNotBlockPublish(t *testing.T) {
	srv := testutil.StartServer(t)
	slow := dialRaw(t, srv)
	slow.do(push(2, "subscribe", "firehose", ":1"), "SUBSCRIBE", "firehose")
	fast := dialRaw(t, srv)
	fast.do(push(2, "subscribe", "firehose", ":1"), "SUBSCRIBE", "firehose")
	var fastGot sync.WaitGroup
	fastGot.Add(1)
	fastErr := make(chan error, 1)
	go func() {
		defer fastGot.Done()
		buf := make([]byte, 1<<20)
		total := 0
		_ = fast.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
		for total < 100*(256<<10) {
			n, err := fast.nc.Read(buf)
			if err != nil {
				fastErr <- err
				return
			}
			total += n
		}
	}()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	payload := strings.Repeat("x", 256<<10)
	start := time.Now()
	for i := 0; i < 200; i++ {
		// Each publish must return promptly even though slow's socket is full.
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := rdb.Publish(pctx, "firehose", payload).Result()
		cancel()
		if err != nil {
			t.Fatalf("publish %d after %v: %v", i, time.Since(start), err)
		}
	}
	testutil.WaitFor(t, 10*time.Second, "slow subscriber dropped", func() bool {
		return rdb.PubSubNumSub(ctx, "firehose").Val()["firehose"] == 1
	})
	fastGot.Wait()
	select {
	case err := <-fastErr:
		t.Fatalf("fast subscriber: %v", err)
	default:
	}
}

func TestDisconnectRemovesSubscriptions(t *testing.T) {
	srv := testutil.StartServer(t)
	hub := srv.Node().PubSub
	for i := 0; i < 5; i++ {
		c := dialRaw(t, srv)
		c.do(push(2, "subscribe", "a", ":1")+push(2, "subscribe", "b", ":2"), "SUBSCRIBE", "a", "b")
		c.do(push(2, "psubscribe", "p*", ":3"), "PSUBSCRIBE", "p*")
		c.do(push(2, "ssubscribe", "s", ":1"), "SSUBSCRIBE", "s")
		if i%2 == 0 {
			c.nc.Close()
		} else {
			c.send("QUIT")
		}
	}
	testutil.WaitFor(t, 5*time.Second, "registry empty", func() bool {
		return hub.NumChannels() == 0 && hub.NumPatterns() == 0 && hub.NumShardChannels() == 0 &&
			hub.NumSubscribers() == 0
	})
	if n := hub.Publish([]byte("a"), []byte("x")); n != 0 {
		t.Fatalf("publish reached %d", n)
	}
}

func TestClientCounters(t *testing.T) {
	srv := testutil.StartServer(t)
	c := dialRaw(t, srv)
	c.do(push(2, "subscribe", "a", ":1")+push(2, "subscribe", "b", ":2")+push(2, "subscribe", "a", ":2"),
		"SUBSCRIBE", "a", "b", "a")
	c.do(push(2, "psubscribe", "p", ":3"), "PSUBSCRIBE", "p")
	c.do(push(2, "ssubscribe", "s", ":1")+push(2, "ssubscribe", "t", ":2"), "SSUBSCRIBE", "s", "t")
	cl := srv.Node().Clients.All()[0]
	check := func(subs, psubs, ssubs int64) {
		t.Helper()
		s, p, ss := cl.Subscriptions()
		if s != subs || p != psubs || ss != ssubs || cl.InSubscribeMode() != (subs+psubs+ssubs > 0) {
			t.Fatalf("counters %d %d %d mode %v, want %d %d %d", s, p, ss, cl.InSubscribeMode(), subs, psubs, ssubs)
		}
	}
	check(2, 1, 2)
	c.do(push(2, "unsubscribe", "a", ":2")+push(2, "unsubscribe", "zz", ":2"), "UNSUBSCRIBE", "a", "zz")
	check(1, 1, 2)
	c.do(push(2, "sunsubscribe", "s", ":1")+push(2, "sunsubscribe", "t", ":0"), "SUNSUBSCRIBE")
	check(1, 1, 0)
	c.do(push(2, "punsubscribe", "p", ":1"), "PUNSUBSCRIBE")
	c.do(push(2, "unsubscribe", "b", ":0"), "UNSUBSCRIBE")
	check(0, 0, 0)
}

// TestConfirmationPrecedesMessages subscribes over and over while a
// publisher floods the channel: the first frame every subscriber reads
// must be its confirmation.
func TestConfirmationPrecedesMessages(t *testing.T) {
	srv := testutil.StartServer(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		nc, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			t.Error(err)
			return
		}
		defer nc.Close()
		go func() { // drain replies
			buf := make([]byte, 64<<10)
			for {
				if _, err := nc.Read(buf); err != nil {
					return
				}
			}
		}()
		cmd := []byte("*3\r\n$7\r\nPUBLISH\r\n$3\r\nhot\r\n$1\r\nx\r\n*3\r\n$8\r\nSPUBLISH\r\n$3\r\nhot\r\n$1\r\ny\r\n")
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := nc.Write(cmd); err != nil {
				return
			}
		}
	}()
	defer func() { close(stop); wg.Wait() }()
	for i := 0; i < 120; i++ {
		c := dialRaw(t, srv)
		proto := 2
		if i%2 == 1 {
			proto = 3
			c.send("HELLO", "3")
			c.line()
			for j := 0; j < 14; j++ {
				if strings.HasPrefix(c.line(), "$") {
					c.line()
				}
			}
		}
		// A first, quiet subscription already switches the connection to
		// queued output, so the ordering rests on the hub, not on pushes
		// to a fresh connection being dropped.
		if i%4 >= 2 {
			c.do(push(proto, "subscribe", "cold", ":1"), "SUBSCRIBE", "cold")
		}
		n := ":" + strconv.Itoa(1+i%4/2)
		switch i % 3 {
		case 0:
			c.do(push(proto, "subscribe", "hot", n), "SUBSCRIBE", "hot")
			c.expect(push(proto, "message", "hot", "x"))
		case 1:
			c.do(push(proto, "psubscribe", "h?t", n), "PSUBSCRIBE", "h?t")
			c.expect(push(proto, "pmessage", "h?t", "hot", "x"))
		default:
			c.do(push(proto, "ssubscribe", "hot", ":1"), "SSUBSCRIBE", "hot")
			c.expect(push(proto, "smessage", "hot", "y"))
		}
		c.nc.Close()
	}
}
