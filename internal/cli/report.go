package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// reporter prints what a cluster verb does: redis-cli style text for
// people, or NDJSON events for scripts (--json). With --json the text goes
// to stderr so stdout stays machine-readable; --quiet drops the text and
// keeps warnings, errors and results.
type reporter struct {
	mu    sync.Mutex
	text  io.Writer // human text, nil when quiet
	warn  io.Writer // warnings and errors
	json  io.Writer // NDJSON events, nil without --json
	clock func() time.Time
}

func (a *app) newReporter() *reporter {
	r := &reporter{text: a.io.Out, warn: a.io.Out, clock: time.Now}
	if a.opts.json {
		r.text, r.warn, r.json = a.io.Err, a.io.Err, a.io.Out
	}
	if a.opts.quiet {
		r.text = nil
	}
	return r
}

// printf writes plain text.
func (r *reporter) printf(format string, args ...any) {
	if r.text == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.text, format, args...)
}

// info is a ">>> step" line; ok an "[OK] ..." line.
func (r *reporter) info(format string, args ...any) { r.printf(">>> "+format+"\n", args...) }
func (r *reporter) ok(format string, args ...any)   { r.printf("[OK] "+format+"\n", args...) }

// warnf and errf are printed even with --quiet.
func (r *reporter) warnf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.warn, format+"\n", args...)
}

func (r *reporter) errf(format string, args ...any) { r.warnf(format, args...) }

// event writes one NDJSON event (only with --json).
func (r *reporter) event(kind string, fields map[string]any) {
	if r.json == nil {
		return
	}
	m := map[string]any{"event": kind, "time": r.clock().UTC().Format(time.RFC3339Nano)}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"event": "error", "error": err.Error()})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.json.Write(append(b, '\n'))
}

// jsonMode reports whether events are being written.
func (r *reporter) jsonMode() bool { return r.json != nil }
