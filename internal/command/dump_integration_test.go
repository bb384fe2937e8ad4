package command_test

import (
	"encoding/binary"
	"hash/crc64"
	"strconv"
	"strings"
	"testing"
	"time"
)

const keysErrPayload = "ERR DUMP payload version or checksum are wrong"

func TestKeysDumpRestoreRoundTrip(t *testing.T) {
	k := newKeysTest(t)
	k.eq(nil, "DUMP", "nokey")
	values := []string{"", "hello", "12345", "-7", strings.Repeat("x", 100_000), "bin\x00\r\n\xff"}
	for i, v := range values {
		key := "k" + strconv.Itoa(i)
		k.eq("OK", "SET", key, v)
		payload := k.do("DUMP", key).(string)
		k.eq("OK", "RESTORE", key+":copy", "0", payload)
		k.eq(v, "GET", key+":copy")
		k.eq(int64(-1), "TTL", key+":copy")
		enc := k.do("OBJECT", "ENCODING", key).(string)
		k.eq(enc, "OBJECT", "ENCODING", key+":copy")
	}

	payload := k.do("DUMP", "k1").(string)
	// Relative TTL.
	k.eq("OK", "RESTORE", "ttl", "10000", payload)
	if pttl := k.int("PTTL", "ttl"); pttl <= 9000 || pttl > 10000 {
		t.Fatalf("PTTL after RESTORE 10000 = %d", pttl)
	}
	// Absolute TTL.
	at := time.Now().Add(time.Hour).UnixMilli()
	k.eq("OK", "RESTORE", "abs", strconv.FormatInt(at, 10), payload, "ABSTTL")
	k.eq(at, "PEXPIRETIME", "abs")
	// A TTL in the past creates nothing.
	k.eq("OK", "RESTORE", "past", "1", payload, "ABSTTL")
	k.eq(int64(0), "EXISTS", "past")
	// BUSYKEY, then REPLACE.
	k.fails("BUSYKEY Target key name already exists.", "RESTORE", "ttl", "0", payload)
	k.eq("OK", "SET", "other", "x")
	otherPayload := k.do("DUMP", "other").(string)
	k.eq("OK", "RESTORE", "ttl", "0", otherPayload, "REPLACE")
	k.eq("x", "GET", "ttl")
	k.eq(int64(-1), "TTL", "ttl")
	k.eq("OK", "RESTORE", "ttl", "1", payload, "ABSTTL", "REPLACE")
	k.eq(int64(0), "EXISTS", "ttl")

	// IDLETIME and FREQ.
	k.eq("OK", "RESTORE", "idle", "0", payload, "IDLETIME", "1000")
	if idle := k.int("OBJECT", "IDLETIME", "idle"); idle < 1000 || idle > 1002 {
		t.Fatalf("IDLETIME after RESTORE ... IDLETIME 1000 = %d", idle)
	}
	k.eq("OK", "RESTORE", "freq", "0", payload, "FREQ", "50")
	k.eq("hello", "GET", "freq")
}

func TestKeysRestoreErrors(t *testing.T) {
	k := newKeysTest(t)
	k.eq("OK", "SET", "src", "some value")
	payload := k.do("DUMP", "src").(string)
	k.fails("ERR Invalid TTL value, must be >= 0", "RESTORE", "x", "-1", payload)
	k.fails("ERR value is not an integer or out of range", "RESTORE", "x", "abc", payload)
	k.fails("ERR Invalid IDLETIME value, must be >= 0", "RESTORE", "x", "0", payload, "IDLETIME", "-1")
	k.fails("ERR value is not an integer or out of range", "RESTORE", "x", "0", payload, "IDLETIME", "x")
	k.fails("ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "x", "0", payload, "FREQ", "256")
	k.fails("ERR Invalid FREQ value, must be >= 0 and <= 255", "RESTORE", "x", "0", payload, "FREQ", "-1")
	k.fails("ERR syntax error", "RESTORE", "x", "0", payload, "IDLETIME", "1", "FREQ", "2")
	k.fails("ERR syntax error", "RESTORE", "x", "0", payload, "FREQ", "2", "IDLETIME", "1")
	k.fails("ERR syntax error", "RESTORE", "x", "0", payload, "IDLETIME")
	k.fails("ERR syntax error", "RESTORE", "x", "0", payload, "foo")
	k.fails("ERR wrong number of arguments for 'restore' command", "RESTORE", "x", "0")
	k.fails("ERR wrong number of arguments for 'dump' command", "DUMP")
	// BUSYKEY is checked before the TTL and the payload.
	k.fails("BUSYKEY Target key name already exists.", "RESTORE", "src", "-1", "garbage")

	// Corrupt payloads: garbage, every truncation, every flipped byte, a
	// payload from a real Valkey/Redis.
	k.fails(keysErrPayload, "RESTORE", "x", "0", "")
	k.fails(keysErrPayload, "RESTORE", "x", "0", "garbage")
	k.fails(keysErrPayload, "RESTORE", "x", "0", "\x00\x05hello\n\x00cr\xdfve4 \n")
	for n := 0; n < len(payload); n++ {
		k.fails(keysErrPayload, "RESTORE", "x", "0", payload[:n])
	}
	for i := 0; i < len(payload); i++ {
		b := []byte(payload)
		b[i] ^= 0x41
		k.fails(keysErrPayload, "RESTORE", "x", "0", string(b))
	}
	k.eq(int64(0), "EXISTS", "x")

	// A payload whose checksum holds but whose body does not decode.
	k.fails("ERR Bad data format", "RESTORE", "x", "0", keysSealPayload("\x00\x05ab"))
	k.fails("ERR Bad data format", "RESTORE", "x", "0", keysSealPayload("\x07\x00"))
	k.eq("OK", "RESTORE", "x", "0", keysSealPayload("\x00\x02ab"))
	k.eq("ab", "GET", "x")
}

// keysSealPayload wraps a body in a valid trailer (magic, version 1, CRC-64
// ECMA), as types.DumpWriter does.
func keysSealPayload(body string) string {
	b := append([]byte(body), 'S', 'H', 1, 0)
	b = binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)))
	return string(b)
}
