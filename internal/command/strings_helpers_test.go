package command_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/server"
	"github.com/shoal-db/shoal/internal/testutil"
	"github.com/shoal-db/shoal/internal/types"
)

// strEnv is a running server with a go-redis client for string tests.
type strEnv struct {
	t   *testing.T
	srv *server.Server
	rdb *redis.Client
	ctx context.Context
}

// newStrEnv starts a server (with extra directives) and a client speaking
// protocol proto (2 or 3).
func newStrEnv(t *testing.T, proto int, directives ...string) *strEnv {
	t.Helper()
	srv := testutil.StartServer(t, directives...)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
	t.Cleanup(func() { _ = rdb.Close() })
	return &strEnv{t: t, srv: srv, rdb: rdb, ctx: context.Background()}
}

// nilReply stands for a null reply in expectations.
type nilReply struct{}

// errReply is an expected error reply text (without the leading '-').
type errReply string

// do runs one command and compares its reply with want: a string, an
// int64, nilReply{}, errReply("..."), or a []any / map[any]any of those.
func (e *strEnv) do(want any, args ...any) {
	e.t.Helper()
	got, err := e.rdb.Do(e.ctx, args...).Result()
	switch w := want.(type) {
	case nilReply:
		if !errors.Is(err, redis.Nil) {
			e.t.Errorf("%v: got (%#v, %v), want null", args, got, err)
		}
	case errReply:
		if err == nil || err.Error() != string(w) {
			e.t.Errorf("%v: got (%#v, %v), want error %q", args, got, err, string(w))
		}
	default:
		if err != nil {
			e.t.Errorf("%v: unexpected error %v (want %#v)", args, err, want)
			return
		}
		if !reflect.DeepEqual(got, want) {
			e.t.Errorf("%v: got %#v, want %#v", args, got, want)
		}
	}
}

// withTx runs fn on a keyspace Tx for db 0 with key's slot locked, the
// way the dispatcher does, so tests can inspect TTLs and encodings for
// which this branch has no commands.
func (e *strEnv) withTx(key string, fn func(tx *keyspace.Tx)) {
	ks := e.srv.Keyspace()
	s := keyspace.SlotOf([]byte(key))
	ks.LockSlot(s)
	defer ks.UnlockSlot(s)
	tx := ks.NewTx()
	tx.Begin(0)
	fn(tx)
	tx.Finish()
}

// pttl is PTTL: -2 for a missing key, -1 without TTL, else ms left.
func (e *strEnv) pttl(key string) int64 {
	ttl := int64(-2)
	e.withTx(key, func(tx *keyspace.Tx) {
		if !tx.Exists([]byte(key)) {
			return
		}
		ttl = tx.TTL([]byte(key))
		if ttl >= 0 {
			ttl -= tx.Now()
		}
	})
	return ttl
}

// encoding is OBJECT ENCODING key ("" for a missing key).
func (e *strEnv) encoding(key string) string {
	enc := ""
	e.withTx(key, func(tx *keyspace.Tx) {
		if en := tx.Lookup([]byte(key), keyspace.NoTouch|keyspace.NoStats); en != nil {
			enc = en.Encoding()
		}
	})
	return enc
}

// exists reports whether key is live.
func (e *strEnv) exists(key string) bool {
	ok := false
	e.withTx(key, func(tx *keyspace.Tx) { ok = tx.Exists([]byte(key)) })
	return ok
}

// recSink records propagated effects as space-joined strings.
type recSink struct {
	mu  sync.Mutex
	cmd []string
}

func (s *recSink) Propagate(db, slot int, argv [][]byte) {
	line := ""
	for i, a := range argv {
		if i > 0 {
			line += " "
		}
		line += string(a)
	}
	s.mu.Lock()
	s.cmd = append(s.cmd, line)
	s.mu.Unlock()
}

// take returns and clears what was recorded.
func (s *recSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.cmd
	s.cmd = nil
	return out
}

// recNotifier records keyevent notifications as "event key".
type recNotifier struct {
	mu  sync.Mutex
	evs []string
}

func (n *recNotifier) PublishNotification(channel, message []byte) {
	const prefix = "__keyevent@0__:"
	if len(channel) <= len(prefix) || string(channel[:len(prefix)]) != prefix {
		return
	}
	n.mu.Lock()
	n.evs = append(n.evs, fmt.Sprintf("%s %s", channel[len(prefix):], message))
	n.mu.Unlock()
}

func (n *recNotifier) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.evs
	n.evs = nil
	return out
}

// expectLines compares recorded lines; "*" in want matches any word.
func expectLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
		return
	}
	for i := range want {
		if !matchWords(got[i], want[i]) {
			t.Errorf("%s[%d]: got %q, want %q (all: %q)", what, i, got[i], want[i], got)
		}
	}
}

func matchWords(got, want string) bool {
	gw, ww := splitWords(got), splitWords(want)
	if len(gw) != len(ww) {
		return false
	}
	for i := range ww {
		if ww[i] != "*" && ww[i] != gw[i] {
			return false
		}
	}
	return true
}

func splitWords(s string) []string {
	var out []string
	cur := ""
	for _, r := range s {
		if r == ' ' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	return append(out, cur)
}

// fakeList is a stand-in collection value for WRONGTYPE tests (the list
// family lives in another branch).
type fakeList struct{}

func (fakeList) Kind() types.Kind    { return types.KindList }
func (fakeList) Encoding() string    { return "listpack" }
func (fakeList) Len() int            { return 1 }
func (fakeList) MemUsage() int64     { return 16 }
func (fakeList) Clone() types.Object { return fakeList{} }

// putList stores a non-string value under key.
func putList(e *strEnv, key string) {
	e.withTx(key, func(tx *keyspace.Tx) { tx.Set([]byte(key), keyspace.NewObject(fakeList{}), false) })
}

func strWait(t *testing.T, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, 5*time.Second, "condition", cond)
}
