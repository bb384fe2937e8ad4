package loadgen

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sampleRows() []Second {
	return []Second{
		{Second: 0, UnixMs: 1700000000000, SpanMs: 1000, Ops: 1100, Sets: 100, Gets: 1000, Hits: 900, Misses: 100,
			Bytes: 51200, AvgMs: 0.25, P50Ms: 0.2, P99Ms: 1.5, P999Ms: 3.25, MaxMs: 4},
		{Second: 1, UnixMs: 1700000001000, SpanMs: 1000, Ops: 0, Errors: 3, Moved: 7, Ask: 2, TryAgain: 1},
		{Second: 2, UnixMs: 1700000002000, SpanMs: 250, Ops: 50, Sets: 5, Gets: 45, Hits: 45, Bytes: 1024,
			AvgMs: 0.125, P50Ms: 0.1, P99Ms: 0.2, P999Ms: 0.3, MaxMs: 0.3},
	}
}

func TestTimelineCSVFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTimelineCSV(&buf, sampleRows()); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"second,unix_ms,span_ms,ops,ops_per_sec,sets,gets,hits,misses,errors,moved,ask,tryagain,kb,avg_ms,p50_ms,p99_ms,p999_ms,max_ms",
		"0,1700000000000,1000,1100,1100.0,100,1000,900,100,0,0,0,0,50.00,0.250,0.200,1.500,3.250,4.000",
		"1,1700000001000,1000,0,0.0,0,0,0,0,3,7,2,1,0.00,0.000,0.000,0.000,0.000,0.000",
		"2,1700000002000,250,50,200.0,5,45,45,0,0,0,0,0,1.00,0.125,0.100,0.200,0.300,0.300",
	}, "\n") + "\n"
	if buf.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
	got, err := ReadTimelineCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sampleRows()) {
		t.Fatalf("round trip:\n%+v\nwant\n%+v", got, sampleRows())
	}
}

func TestReadTimelineCSVRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{"", "a,b\n1,2\n", strings.Join(TimelineHeader, ",") + "\n" + strings.Repeat("x,", 18) + "x\n"} {
		if _, err := ReadTimelineCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

func TestReadEvents(t *testing.T) {
	in := "unix_ms,label\n# driver log\n\n1700000000500,migration start\n1700000003000, pause, slots 0-99 \n"
	ev, err := ReadEvents(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{1700000000500, "migration start"}, {1700000003000, "pause, slots 0-99"}}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("got %+v, want %+v", ev, want)
	}
	if _, err := ReadEvents(strings.NewReader("soon,start\n")); err == nil {
		t.Fatal("a non-numeric time was accepted")
	}
	if _, err := ReadEvents(strings.NewReader("1700000000500\n")); err == nil {
		t.Fatal("a line without a label was accepted")
	}
}

func TestEventsFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.csv")
	if ev, err := ReadEventsFile(path); err != nil || ev != nil {
		t.Fatalf("missing file: %v, %v", ev, err)
	}
	at := time.UnixMilli(1700000000123)
	if err := AppendEvent(path, "hand-over\nslots", at); err != nil {
		t.Fatal(err)
	}
	if err := AppendEvent(path, "done", at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	ev, err := ReadEventsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{{1700000000123, "hand-over slots"}, {1700000001123, "done"}}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("got %+v, want %+v", ev, want)
	}
	var buf bytes.Buffer
	if err := WriteEventsCSV(&buf, ev); err != nil {
		t.Fatal(err)
	}
	back, err := ReadEvents(&buf)
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("WriteEventsCSV round trip: %+v, %v", back, err)
	}
	_ = os.Remove(path)
}
