package command

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// hashPropField is the model of a stored field (it may be logically
// expired and not yet reclaimed). at is -1 without TTL.
type hashPropField struct {
	v  string
	at int64
}

// hashPropModel is the model of the hashes of one database.
type hashPropModel struct {
	keys map[string]map[string]hashPropField
	now  int64
}

func (m *hashPropModel) live(k, f string) (hashPropField, bool) {
	e, ok := m.keys[k][f]
	if !ok || (e.at >= 0 && m.now > e.at) {
		return hashPropField{}, false
	}
	return e, true
}

func (m *hashPropModel) put(k, f string, e hashPropField) {
	if m.keys[k] == nil {
		m.keys[k] = map[string]hashPropField{}
	}
	m.keys[k][f] = e
}

func (m *hashPropModel) del(k, f string) {
	delete(m.keys[k], f)
	if len(m.keys[k]) == 0 {
		delete(m.keys, k)
	}
}

// TestHashCommandsProperty drives the hash commands, field TTLs, a moving
// clock and the active expiry job against a model, with small listpack
// limits so that encodings convert, and checks every reply and the state.
func TestHashCommandsProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newKeysHarness(t)
		h.do("CONFIG", "SET", "hash-max-listpack-entries", strconv.Itoa(rapid.IntRange(1, 4).Draw(rt, "entries")))
		m := &hashPropModel{keys: map[string]map[string]hashPropField{}, now: keysEpoch}
		key := rapid.SampledFrom([]string{"k1", "k2"})
		field := rapid.SampledFrom([]string{"a", "b", "c", "d", "e"})
		value := rapid.SampledFrom([]string{"1", "2", "30", "-4"})
		for step := rapid.IntRange(1, 60).Draw(rt, "steps"); step > 0; step-- {
			k, f := key.Draw(rt, "key"), field.Draw(rt, "field")
			op := rapid.IntRange(0, 9).Draw(rt, "op")
			var args []string
			var want string
			switch op {
			case 0:
				v := value.Draw(rt, "v")
				args = []string{"HSET", k, f, v}
				_, live := m.live(k, f)
				want = hashRESPInt(map[bool]int64{true: 0, false: 1}[live])
				m.put(k, f, hashPropField{v, -1})
			case 1:
				args = []string{"HDEL", k, f}
				_, live := m.live(k, f)
				want = hashRESPInt(map[bool]int64{true: 1, false: 0}[live])
				if live {
					m.del(k, f)
				}
			case 2:
				args, want = hashPropExpire(rt, m, k, f)
			case 3:
				args = []string{"HPERSIST", k, "FIELDS", "1", f}
				e, live := m.live(k, f)
				switch {
				case !live:
					want = hashRESPInts(-2)
				case e.at < 0:
					want = hashRESPInts(-1)
				default:
					want = hashRESPInts(1)
					m.put(k, f, hashPropField{e.v, -1})
				}
			case 4:
				args, want = hashPropSetEx(rt, m, k, f, value.Draw(rt, "v"))
			case 5:
				args, want = hashPropGetEx(rt, m, k, f)
			case 6:
				args = []string{"HINCRBY", k, f, "1"}
				e, live := m.live(k, f)
				n := int64(0)
				if live {
					n, _ = strconv.ParseInt(e.v, 10, 64)
				} else {
					e.at = -1
				}
				want = hashRESPInt(n + 1)
				m.put(k, f, hashPropField{strconv.FormatInt(n+1, 10), e.at})
			case 7:
				dt := int64(rapid.IntRange(0, 30).Draw(rt, "dt"))
				h.advance(dt)
				m.now += dt
				continue
			case 8:
				h.ks.ActiveExpireCycle(time.Second, 1)
				h.ks.ActiveExpireCycle(time.Second, 1)
				for k, fields := range m.keys {
					for f, e := range fields {
						if e.at >= 0 && m.now > e.at {
							m.del(k, f)
						}
					}
				}
				continue
			case 9:
				args = []string{"HPTTL", k, "FIELDS", "1", f}
				e, live := m.live(k, f)
				switch {
				case !live:
					want = hashRESPInts(-2)
				case e.at < 0:
					want = hashRESPInts(-1)
				default:
					want = hashRESPInts(max(e.at-m.now, 0))
				}
			}
			if got := h.do(args...); got != want {
				rt.Fatalf("%s: got %q, want %q", strings.Join(args, " "), got, want)
			}
			hashPropCheck(rt, h, m)
		}
	})
}

// hashPropExpire is HPEXPIRE k ttl [NX|XX|GT|LT] FIELDS 1 f.
func hashPropExpire(rt *rapid.T, m *hashPropModel, k, f string) ([]string, string) {
	ttl := int64(rapid.IntRange(0, 40).Draw(rt, "ttl"))
	cond := rapid.SampledFrom([]string{"", "NX", "XX", "GT", "LT"}).Draw(rt, "cond")
	args := []string{"HPEXPIRE", k, strconv.FormatInt(ttl, 10)}
	if cond != "" {
		args = append(args, cond)
	}
	args = append(args, "FIELDS", "1", f)
	e, live := m.live(k, f)
	if !live {
		return args, hashRESPInts(-2)
	}
	when := m.now + ttl
	none := e.at < 0
	if (cond == "NX" && !none) || (cond == "XX" && none) || (cond == "GT" && (none || when <= e.at)) ||
		(cond == "LT" && !none && when >= e.at) {
		return args, hashRESPInts(0)
	}
	if when <= m.now {
		m.del(k, f)
		return args, hashRESPInts(2)
	}
	m.put(k, f, hashPropField{e.v, when})
	return args, hashRESPInts(1)
}

// hashPropSetEx is HSETEX k [FNX|FXX] [PX ttl|KEEPTTL] FIELDS 1 f v.
func hashPropSetEx(rt *rapid.T, m *hashPropModel, k, f, v string) ([]string, string) {
	cond := rapid.SampledFrom([]string{"", "FNX", "FXX"}).Draw(rt, "fcond")
	mode := rapid.SampledFrom([]string{"", "PX", "KEEPTTL"}).Draw(rt, "mode")
	ttl := int64(rapid.IntRange(0, 40).Draw(rt, "ttl"))
	args := []string{"HSETEX", k}
	if cond != "" {
		args = append(args, cond)
	}
	switch mode {
	case "PX":
		args = append(args, "PX", strconv.FormatInt(ttl, 10))
	case "KEEPTTL":
		args = append(args, "KEEPTTL")
	}
	args = append(args, "FIELDS", "1", f, v)
	e, live := m.live(k, f)
	if (cond == "FNX" && live) || (cond == "FXX" && !live) {
		return args, ":0\r\n"
	}
	switch {
	case mode == "PX" && ttl == 0:
		m.del(k, f) // deletes even a logically expired field
	case mode == "PX":
		m.put(k, f, hashPropField{v, m.now + ttl})
	case mode == "KEEPTTL" && live:
		m.put(k, f, hashPropField{v, e.at})
	default:
		m.put(k, f, hashPropField{v, -1})
	}
	return args, ":1\r\n"
}

// hashPropGetEx is HGETEX k [PX ttl|PERSIST] FIELDS 1 f.
func hashPropGetEx(rt *rapid.T, m *hashPropModel, k, f string) ([]string, string) {
	mode := rapid.SampledFrom([]string{"", "PX", "PERSIST"}).Draw(rt, "gmode")
	ttl := int64(rapid.IntRange(0, 40).Draw(rt, "ttl"))
	args := []string{"HGETEX", k}
	switch mode {
	case "PX":
		args = append(args, "PX", strconv.FormatInt(ttl, 10))
	case "PERSIST":
		args = append(args, "PERSIST")
	}
	args = append(args, "FIELDS", "1", f)
	e, live := m.live(k, f)
	if !live {
		return args, hashRESPBulks(nil)
	}
	switch {
	case mode == "PX" && ttl == 0:
		m.del(k, f)
	case mode == "PX":
		m.put(k, f, hashPropField{e.v, m.now + ttl})
	case mode == "PERSIST":
		m.put(k, f, hashPropField{e.v, -1})
	}
	return args, hashRESPBulks(e.v)
}

// hashPropCheck compares every key's state with the model.
func hashPropCheck(rt *rapid.T, h *keysHarness, m *hashPropModel) {
	for _, k := range []string{"k1", "k2"} {
		stored := m.keys[k]
		if got, want := h.do("HLEN", k), hashRESPInt(int64(len(stored))); got != want {
			rt.Fatalf("HLEN %s = %q, want %q", k, got, want)
		}
		var live []string
		for f := range stored {
			if e, ok := m.live(k, f); ok {
				live = append(live, f+"="+e.v)
			}
		}
		sort.Strings(live)
		got := h.do("HGETALL", k)
		if fmt.Sprint(hashPropPairs(got)) != fmt.Sprint(live) {
			rt.Fatalf("HGETALL %s = %q, want %v", k, got, live)
		}
	}
	ks := fmt.Sprintf("keys_with_volatile_items=%d", hashPropVolatile(m))
	if s := h.do("INFO", "keyspace"); len(m.keys) > 0 && !strings.Contains(s, ks) {
		rt.Fatalf("INFO keyspace %q, want %s", s, ks)
	}
}

func hashPropVolatile(m *hashPropModel) int {
	n := 0
	for _, fields := range m.keys {
		for _, e := range fields {
			if e.at >= 0 {
				n++
				break
			}
		}
	}
	return n
}

// hashPropPairs turns a RESP2 HGETALL reply into sorted "field=value".
func hashPropPairs(reply string) []string {
	lines := strings.Split(reply, "\r\n")
	var items []string
	for i := 1; i+1 < len(lines); i += 2 {
		items = append(items, lines[i+1])
	}
	var out []string
	for i := 0; i+1 < len(items); i += 2 {
		out = append(out, items[i]+"="+items[i+1])
	}
	sort.Strings(out)
	return out
}
