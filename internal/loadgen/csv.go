package loadgen

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// TimelineHeader is the first line of timeline.csv. Counts are per second
// of completion; ops_per_sec scales ops by span_ms (the last second of a
// run may be partial); kb is request+reply traffic; latencies are in ms.
var TimelineHeader = []string{
	"second", "unix_ms", "span_ms", "ops", "ops_per_sec", "sets", "gets", "hits", "misses",
	"errors", "moved", "ask", "tryagain", "kb", "avg_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms",
}

// WriteTimelineCSV writes the timeline, one row per second.
func WriteTimelineCSV(w io.Writer, rows []Second) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TimelineHeader); err != nil {
		return err
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	ms := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, r := range rows {
		rec := []string{
			strconv.Itoa(r.Second), i(r.UnixMs), i(r.SpanMs), i(r.Ops),
			strconv.FormatFloat(r.OpsPerSec(), 'f', 1, 64),
			i(r.Sets), i(r.Gets), i(r.Hits), i(r.Misses),
			i(r.Errors), i(r.Moved), i(r.Ask), i(r.TryAgain),
			strconv.FormatFloat(float64(r.Bytes)/1024, 'f', 2, 64),
			ms(r.AvgMs), ms(r.P50Ms), ms(r.P99Ms), ms(r.P999Ms), ms(r.MaxMs),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadTimelineCSV parses what WriteTimelineCSV wrote (for drivers that
// post-process a run, and for tests). Bytes come back rounded to 1/100 KB.
func ReadTimelineCSV(r io.Reader) ([]Second, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("timeline csv: %w", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(TimelineHeader, ",") {
		return nil, errors.New("timeline csv: missing or unexpected header")
	}
	out := make([]Second, 0, len(recs)-1)
	for n, rec := range recs[1:] {
		p := csvFields{rec: rec}
		s := Second{
			Second: int(p.int(0)), UnixMs: p.int(1), SpanMs: p.int(2), Ops: p.int(3),
			Sets: p.int(5), Gets: p.int(6), Hits: p.int(7), Misses: p.int(8),
			Errors: p.int(9), Moved: p.int(10), Ask: p.int(11), TryAgain: p.int(12),
			Bytes: int64(p.float(13) * 1024),
			AvgMs: p.float(14), P50Ms: p.float(15), P99Ms: p.float(16), P999Ms: p.float(17), MaxMs: p.float(18),
		}
		if p.err != nil {
			return nil, fmt.Errorf("timeline csv line %d: %w", n+2, p.err)
		}
		out = append(out, s)
	}
	return out, nil
}

// csvFields parses fields, keeping the first error.
type csvFields struct {
	rec []string
	err error
}

func (p *csvFields) int(i int) int64 {
	v, err := strconv.ParseInt(p.rec[i], 10, 64)
	if err != nil && p.err == nil {
		p.err = err
	}
	return v
}

func (p *csvFields) float(i int) float64 {
	v, err := strconv.ParseFloat(p.rec[i], 64)
	if err != nil && p.err == nil {
		p.err = err
	}
	return v
}

// ReadEvents parses an events file: one "unix_ms,label" per line (the
// label is everything after the first comma). Blank lines, lines starting
// with '#' and a "unix_ms,label" header are skipped. A driver appends to
// it while the benchmark runs; the benchmark reads it once, at the end.
func ReadEvents(r io.Reader) ([]Event, error) {
	var out []Event
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line == "unix_ms,label" {
			continue
		}
		ts, label, ok := strings.Cut(line, ",")
		ms, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("events line %d: want unix_ms,label, got %q", n, line)
		}
		out = append(out, Event{UnixMs: ms, Label: strings.TrimSpace(label)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return out, nil
}

// ReadEventsFile reads an events file; a file that does not exist (the
// driver never marked anything) yields no events.
func ReadEventsFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadEvents(f)
}

// AppendEvent appends "unix_ms,label" for now to an events file: what a
// shell or Go driver calls to mark a moment on the chart.
func AppendEvent(path, label string, at time.Time) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%d,%s\n", at.UnixMilli(), strings.ReplaceAll(label, "\n", " "))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteEventsCSV writes events in the format ReadEvents reads.
func WriteEventsCSV(w io.Writer, ev []Event) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "unix_ms,label")
	for _, e := range ev {
		fmt.Fprintf(bw, "%d,%s\n", e.UnixMs, e.Label)
	}
	return bw.Flush()
}
