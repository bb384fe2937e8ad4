package types

import (
	"strconv"
	"testing"
)

func TestDictBasics(t *testing.T) {
	d := NewDict[int](0)
	for i := 0; i < 1000; i++ {
		if !d.Set(strconv.Itoa(i), i) {
			t.Fatalf("set %d reported existing", i)
		}
	}
	if d.Len() != 1000 {
		t.Fatalf("len %d", d.Len())
	}
	for i := 0; i < 1000; i += 2 {
		if !d.Delete(strconv.Itoa(i)) {
			t.Fatalf("delete %d", i)
		}
	}
	for i := 0; i < 1000; i++ {
		v, ok := d.Get(strconv.Itoa(i))
		if ok != (i%2 == 1) || (ok && v != i) {
			t.Fatalf("get %d = %v %v", i, v, ok)
		}
	}
}

// Elements present for the whole scan are returned at least once even when
// the table grows and shrinks between calls.
func TestDictScanGuaranteeAcrossResizes(t *testing.T) {
	d := NewDict[int](0)
	for i := 0; i < 500; i++ {
		d.Set("stable"+strconv.Itoa(i), i)
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	step := 0
	for {
		cursor = d.Scan(cursor, func(k string, _ int) { seen[k] = true })
		step++
		switch {
		case step%3 == 0 && step < 60:
			for i := 0; i < 300; i++ {
				d.Set("tmp"+strconv.Itoa(step*1000+i), 0)
			}
		case step%5 == 0:
			d.Range(func(k string, _ int) bool {
				if k[0] == 't' {
					d.Delete(k)
					return false
				}
				return true
			})
			for i := 0; i < 2000; i++ {
				d.Delete("tmp" + strconv.Itoa(i))
			}
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 500; i++ {
		if !seen["stable"+strconv.Itoa(i)] {
			t.Fatalf("stable%d never returned", i)
		}
	}
}
