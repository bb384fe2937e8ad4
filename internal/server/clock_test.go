package server_test

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/testutil"
)

// Commands that run back to back reuse each other's clock readings
// (command.commandClock). A command that waited before it ran must read
// the clock again, or it would judge expiry at a time long past. Here a
// pipelined INCR waits out a CLIENT PAUSE during which its key expires;
// reusing the PING's end reading, it would find the key alive and answer
// 6 instead of 1.
func TestCommandAfterPauseSeesCurrentTime(t *testing.T) {
	srv := testutil.StartServer(t, "--enable-debug-command", "yes")
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	// Only the INCR's own lookup may find the key expired.
	if err := rdb.Do(ctx, "DEBUG", "SET-ACTIVE-EXPIRE", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, "k", "5", 150*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Do(ctx, "CLIENT", "PAUSE", "400", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}

	conn, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// One write, so that both commands come from one read.
	if _, err := conn.Write([]byte("PING\r\nINCR k\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	rd := bufio.NewReader(conn)
	var got []string
	for range 2 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimSpace(line))
	}
	if got[0] != "+PONG" || got[1] != ":1" {
		t.Fatalf("replies %q, want [+PONG :1] (the key expired during the pause)", got)
	}
}
