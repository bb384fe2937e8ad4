package command

import (
	"math"
	"testing"

	"github.com/shoal-db/shoal/internal/types"
)

func TestZSetParseFloat(t *testing.T) {
	ok := map[string]float64{
		"1": 1, "-2.5": -2.5, "+3": 3, ".5": 0.5, "5.": 5, "1e2": 100, "1E-2": 0.01,
		"0x10": 16, "0x1p-2": 0.25, "-0X.8": -0.5, "inf": math.Inf(1), "-Infinity": math.Inf(-1),
		"+INF": math.Inf(1), "4e-320": 4e-320, "00": 0, "1e308": 1e308,
	}
	for s, want := range ok {
		if got, good := zsetParseFloat([]byte(s)); !good || got != want {
			t.Errorf("zsetParseFloat(%q) = %v, %v; want %v", s, got, good, want)
		}
	}
	for _, s := range []string{"", " 1", "1 ", "\t1", "1_0", "nan", "-nan", "1e", "1e+", ".", "-", "+-1",
		"0x", "1.2.3", "infinit", "1e400", "-1e309", "1e-400", "2e-324", "0x1p-1080", "abc", "1,5"} {
		if v, good := zsetParseFloat([]byte(s)); good {
			t.Errorf("zsetParseFloat(%q) accepted as %v", s, v)
		}
	}
}

func TestZSetParseScoreBound(t *testing.T) {
	type res struct {
		v  float64
		ex bool
	}
	ok := map[string]res{
		"1": {1, false}, "(1": {1, true}, "": {0, false}, "(": {0, true}, " 2": {2, false},
		"(-inf": {math.Inf(-1), true}, "+inf": {math.Inf(1), false}, "1e400": {math.Inf(1), false},
		"1e-400": {0, false}, "0x3": {3, false},
	}
	for s, want := range ok {
		v, ex, good := zsetParseScoreBound([]byte(s))
		if !good || v != want.v || ex != want.ex {
			t.Errorf("bound %q = %v %v %v; want %+v", s, v, ex, good, want)
		}
	}
	for _, s := range []string{"a", "((1", "1 ", "nan", "(nan", " ", "[1", "1e"} {
		if _, _, good := zsetParseScoreBound([]byte(s)); good {
			t.Errorf("bound %q accepted", s)
		}
	}
}

func TestZSetParseLexBound(t *testing.T) {
	cases := map[string]types.LexBound{
		"-": {Kind: types.LexMinusInf, Ex: true}, "+": {Kind: types.LexPlusInf, Ex: true},
		"[a": {Value: "a"}, "(a": {Value: "a", Ex: true}, "[": {Value: ""}, "(-": {Value: "-", Ex: true},
	}
	for s, want := range cases {
		if got, ok := zsetParseLexBound([]byte(s)); !ok || got != want {
			t.Errorf("lex %q = %+v %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "a", "-a", "+a", "--", "]a"} {
		if _, ok := zsetParseLexBound([]byte(s)); ok {
			t.Errorf("lex %q accepted", s)
		}
	}
}

// TestZSetTimeoutMillis pins the long double arithmetic of Valkey's
// getTimeoutFromObjectOrReply.
func TestZSetTimeoutMillis(t *testing.T) {
	cases := map[string]int64{
		"0": 0, "0.0001": 0, "-0.0001": 0, "1.001": 1001, "0x10": 16000, "10": 10000, "-1": -1000,
		"1e-400": 0, "inf": math.MinInt64, "1e400": math.MinInt64,
		"9223372036854775": 9223372036854775000, "9223372036854776": math.MinInt64,
	}
	for s, want := range cases {
		v, _, _ := zsetStrtod(s)
		if got := zsetTimeoutMillis(s, v); got != want {
			t.Errorf("timeout %q = %d ms, want %d", s, got, want)
		}
	}
}
