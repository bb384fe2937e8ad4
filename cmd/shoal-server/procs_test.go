package main

import "testing"

func TestChooseProcs(t *testing.T) {
	for _, tc := range []struct {
		env          bool
		io, rt, want int
		why          string
	}{
		{env: true, io: 4, rt: 3, want: 3, why: "GOMAXPROCS"},
		{io: 4, rt: 8, want: 4, why: "io-threads"},
		{io: 1, rt: 8, want: 7, why: "cpus-1"},
		{io: 1, rt: 2, want: 1, why: "cpus-1"},
		{io: 1, rt: 1, want: 1, why: "cpus-1"},
	} {
		got, why := chooseProcs(tc.env, tc.io, tc.rt)
		if got != tc.want || why != tc.why {
			t.Errorf("chooseProcs(%v, %d, %d) = %d, %q; want %d, %q", tc.env, tc.io, tc.rt, got, why, tc.want, tc.why)
		}
	}
}
