package command_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/shoal-db/shoal/internal/testutil"
)

// scanAll runs a full SCAN iteration with the given options and returns
// every key returned, with duplicates, and the number of calls.
func (k *keysTest) scanAll(opts ...string) ([]string, int) {
	k.t.Helper()
	var keys []string
	cursor := "0"
	for calls := 1; ; calls++ {
		if calls > 20_000 {
			k.t.Fatal("SCAN does not terminate")
		}
		reply := k.do(append([]string{"SCAN", cursor}, opts...)...).([]any)
		cursor = reply[0].(string)
		for _, key := range reply[1].([]any) {
			keys = append(keys, key.(string))
		}
		if cursor == "0" {
			return keys, calls
		}
	}
}

func keysSet(keys []string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func TestKeysScanFullIteration(t *testing.T) {
	k := newKeysTest(t)
	want := map[string]bool{}
	for i := 0; i < 1000; i++ {
		key := fmt.Sprintf("user:%d", i)
		if i%4 == 0 {
			key = fmt.Sprintf("item:%d", i)
		}
		k.eq("OK", "SET", key, "v")
		want[key] = true
	}
	k.eq(int64(1000), "DBSIZE")

	all, calls := k.scanAll()
	if got := keysSet(all); len(got) != 1000 || !keysSame(got, want) {
		t.Fatalf("full SCAN returned %d distinct keys", len(got))
	}
	if calls < 10 {
		t.Fatalf("default COUNT returned everything in %d calls", calls)
	}
	for _, count := range []string{"1", "7", "100", "100000"} {
		got, _ := k.scanAll("COUNT", count)
		if s := keysSet(got); !keysSame(s, want) {
			t.Fatalf("COUNT %s: %d distinct keys", count, len(s))
		}
	}
	users, _ := k.scanAll("MATCH", "user:*", "COUNT", "50")
	if len(keysSet(users)) != 750 {
		t.Fatalf("MATCH user:* returned %d keys", len(keysSet(users)))
	}
	for _, key := range users {
		if key[:5] != "user:" {
			t.Fatalf("MATCH user:* returned %q", key)
		}
	}
	items, _ := k.scanAll("MATCH", "item:?0", "TYPE", "STRING")
	sort.Strings(items)
	if fmt.Sprint(items) != "[item:20 item:40 item:60 item:80]" {
		t.Fatalf("MATCH item:?0 TYPE STRING = %q", items)
	}
	if none, _ := k.scanAll("TYPE", "hash"); len(none) != 0 {
		t.Fatalf("TYPE hash returned %q", none)
	}
	if all, _ := k.scanAll("MATCH", "*", "TYPE", "string", "COUNT", "30"); len(keysSet(all)) != 1000 {
		t.Fatalf("MATCH * TYPE string returned %d keys", len(keysSet(all)))
	}

	// A cursor past the last slot ends the iteration.
	k.eq([]any{"0", []any{}}, "SCAN", "18446744073709551615")
	k.eq([]any{"0", []any{}}, "SCAN", "16384")
	k.eq([]any{"0", []any{}}, "SCAN", "0", "MATCH", "nomatch*", "COUNT", "100000")

	k.fails("ERR invalid cursor", "SCAN", "abc")
	k.fails("ERR invalid cursor", "SCAN", "-1")
	k.fails("ERR invalid cursor", "SCAN", "18446744073709551616")
	k.fails("ERR syntax error", "SCAN", "0", "COUNT", "0")
	k.fails("ERR value is not an integer or out of range", "SCAN", "0", "COUNT", "abc")
	k.fails("ERR syntax error", "SCAN", "0", "MATCH")
	k.fails("ERR syntax error", "SCAN", "0", "foo", "bar")
	k.fails("ERR unknown type name 'foo'", "SCAN", "0", "TYPE", "foo")
	k.fails("ERR NOVALUES option can only be used in HSCAN", "SCAN", "0", "NOVALUES")
	k.fails("ERR NOSCORES option can only be used in ZSCAN", "SCAN", "0", "NOSCORES")
	k.fails("ERR wrong number of arguments for 'scan' command", "SCAN")
}

func keysSame(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestKeysScanWhileWriting checks SCAN's guarantee over the network: keys
// present for the whole iteration are returned while others come and go.
func TestKeysScanWhileWriting(t *testing.T) {
	k := newKeysTest(t)
	for i := 0; i < 500; i++ {
		k.eq("OK", "SET", "stable:"+strconv.Itoa(i), "v")
	}
	var keys []string
	cursor := "0"
	for i := 0; ; i++ {
		// Churn between calls.
		k.do("SET", fmt.Sprintf("churn:%d", i), "v")
		k.do("DEL", fmt.Sprintf("churn:%d", i/2))
		reply := k.do("SCAN", cursor, "COUNT", "5").([]any)
		cursor = reply[0].(string)
		for _, key := range reply[1].([]any) {
			keys = append(keys, key.(string))
		}
		if cursor == "0" {
			break
		}
	}
	seen := keysSet(keys)
	for i := 0; i < 500; i++ {
		if !seen["stable:"+strconv.Itoa(i)] {
			t.Fatalf("stable:%d was never returned", i)
		}
	}
}

func TestKeysKeysAndRandomKey(t *testing.T) {
	k := newKeysTest(t)
	k.eq([]any{}, "KEYS", "*")
	k.eq(nil, "RANDOMKEY")
	for _, key := range []string{"hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b", "{tag}x"} {
		k.eq("OK", "SET", key, "v")
	}
	for _, tc := range []struct {
		pattern string
		want    string
	}{
		{"*", "[a*b a?b hallo heeeello hello hllo hxllo {tag}x]"},
		{"h?llo", "[hallo hello hxllo]"},
		{"h*llo", "[hallo heeeello hello hllo hxllo]"},
		{"h[ae]llo", "[hallo hello]"},
		{"h[^e]llo", "[hallo hxllo]"},
		{"h[a-b]llo", "[hallo]"},
		{`a\*b`, "[a*b]"},
		{`a\?b`, "[a?b]"},
		{"{tag}*", "[{tag}x]"},
		{"nomatch", "[]"},
	} {
		got := k.do("KEYS", tc.pattern).([]any)
		var keys []string
		for _, g := range got {
			keys = append(keys, g.(string))
		}
		sort.Strings(keys)
		if s := fmt.Sprint(keys); s != tc.want && !(tc.want == "[]" && len(keys) == 0) {
			t.Fatalf("KEYS %s = %s, want %s", tc.pattern, s, tc.want)
		}
	}
	k.fails("ERR wrong number of arguments for 'keys' command", "KEYS")
	k.fails("ERR wrong number of arguments for 'randomkey' command", "RANDOMKEY", "x")
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		key := k.do("RANDOMKEY").(string)
		if k.int("EXISTS", key) != 1 {
			t.Fatalf("RANDOMKEY returned %q, which does not exist", key)
		}
		seen[key] = true
	}
	if len(seen) < 4 {
		t.Fatalf("RANDOMKEY returned only %d distinct keys out of 8", len(seen))
	}
	k.eq(int64(8), "DBSIZE")
	// Expired keys are neither listed nor picked.
	k.eq("OK", "FLUSHALL")
	k.eq("OK", "SET", "gone", "v")
	k.eq(int64(1), "PEXPIRE", "gone", "1")
	k.eq("OK", "SET", "kept", "v")
	testutil.WaitFor(t, 5*time.Second, "gone to expire", func() bool { return k.int("PTTL", "gone") < 0 })
	k.eq([]any{"kept"}, "KEYS", "*")
	k.eq("kept", "RANDOMKEY")
}
