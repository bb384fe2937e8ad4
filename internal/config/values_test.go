package config

import (
	"math"
	"strings"
	"testing"

	"github.com/shoal-db/shoal/internal/resp"
)

func TestString2ll(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": math.MaxInt64,
		"-9223372036854775808": math.MinInt64, "123": 123} {
		if got, ok := string2ll(s); !ok || got != want {
			t.Errorf("string2ll(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "-", "01", "-0", "+1", " 1", "1 ", "1a", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.0"} {
		if _, ok := string2ll(s); ok {
			t.Errorf("string2ll(%q) accepted", s)
		}
	}
}

func TestMemtoull(t *testing.T) {
	for s, want := range map[string]uint64{"": 0, "0": 0, "b": 0, "kb": 0, "1": 1, "1b": 1, "1B": 1, "1k": 1000, "1K": 1000,
		"1kb": 1024, "1KB": 1024, "1kB": 1024, "2m": 2000000, "2mb": 2 << 20, "3g": 3000000000, "3gb": 3 << 30,
		"18446744073709551615": math.MaxUint64, "007": 7} {
		if got, ok := memtoull(s); !ok || got != want {
			t.Errorf("memtoull(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"-1", "-", "1x", "1.5gb", "1tb", "1 kb", " 1", "+1", "18446744073709551616", "17179869184gb", "1gbb"} {
		if _, ok := memtoull(s); ok {
			t.Errorf("memtoull(%q) accepted", s)
		}
	}
}

func TestStrtoll(t *testing.T) {
	for _, tt := range []struct {
		s    string
		base int
		want int64
		ok   bool
	}{
		{"", 10, 0, true}, {"5", 10, 5, true}, {"+5", 10, 5, true}, {"-5", 10, -5, true}, {"  7", 10, 7, true},
		{"007", 10, 7, true}, {"7 ", 10, 0, false}, {" ", 10, 0, false}, {"-", 10, 0, false}, {"x", 10, 0, false},
		{"99999999999999999999", 10, math.MaxInt64, true}, {"-99999999999999999999", 10, math.MinInt64, true},
		{"755", 8, 0o755, true}, {"8", 8, 0, false}, {"0777", 8, 0o777, true},
	} {
		got, ok := strtoll(tt.s, tt.base)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("strtoll(%q, %d) = %d, %v", tt.s, tt.base, got, ok)
		}
	}
}

func TestFormatMemory(t *testing.T) {
	for v, want := range map[uint64]string{0: "0", 1: "1", 1000: "1000", 1024: "1kb", 1536: "1536", 3 << 20: "3mb",
		5 << 30: "5gb", (1 << 30) + 1024: "1048577kb", math.MaxUint64: "18446744073709551615"} {
		if got := formatMemory(v); got != want {
			t.Errorf("formatMemory(%d) = %q, want %q", v, got, want)
		}
	}
}

// TestReprRoundTrip checks that repr output reads back through the
// configuration line splitter unchanged, for every byte value.
func TestReprRoundTrip(t *testing.T) {
	var all strings.Builder
	for i := 0; i < 256; i++ {
		all.WriteByte(byte(i))
	}
	for _, s := range []string{"", "plain", `a "b" c`, `back\slash`, "tab\there", "nl\nx", all.String()} {
		parts, err := resp.SplitArgs([]byte("x "+repr(s)), nil)
		if err != nil || len(parts) != 2 || string(parts[1]) != s {
			t.Errorf("repr(%q) = %s does not round-trip: %q %v", s, repr(s), parts, err)
		}
	}
}

func TestSettingsTable(t *testing.T) {
	list := Settings()
	if len(list) != len(settings) {
		t.Fatal("Settings() lost entries")
	}
	for i, s := range list {
		if i > 0 && list[i-1].Name >= s.Name {
			t.Fatalf("not sorted at %s", s.Name)
		}
		// Every default must be accepted by the setting's own parser and
		// come back unchanged: defaults are canonical.
		if s.Name == "dir" || s.Name == "replicaof" {
			continue
		}
		args := []string{s.Default}
		if s.Has(FlagMultiArg) {
			args = splitSpaces(s.Default)
		}
		v, reason := parseArgs(&list[i], args, parseCtx{old: s.Default, get: func(string) string { return "" }})
		if reason != "" || v != s.Default {
			t.Errorf("%s: default %q parses as %q (%s)", s.Name, s.Default, v, reason)
		}
	}
}

func TestLoadArgsMethod(t *testing.T) {
	c := New()
	if err := c.LoadArgs([]string{"--port", "1234", "--save", ""}); err != nil {
		t.Fatal(err)
	}
	if c.get("port") != "1234" || c.get("save") != "" {
		t.Errorf("port %q save %q", c.get("port"), c.get("save"))
	}
	if err := c.LoadArgs([]string{"--cluster-enabled", "yes", "--replicaof", "h", "1"}); err == nil {
		t.Error("sanity check skipped")
	}
}
