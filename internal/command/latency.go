package command

import (
	"sync"
	"time"
)

// LatencySample is one point of a latency event's history.
type LatencySample struct {
	Time   int64 // unix seconds
	Millis int64
}

// LatencyEvent is the history of one event class ("command", "fast-command", ...).
type LatencyEvent struct {
	Name    string
	Samples []LatencySample // oldest first, at most 160
	Max     int64
}

// LatencyMonitor records events slower than latency-monitor-threshold,
// one sample per second per event, as Valkey's latency monitor.
type LatencyMonitor struct {
	mu     sync.Mutex
	events map[string]*LatencyEvent
}

// NewLatencyMonitor returns an empty monitor.
func NewLatencyMonitor() *LatencyMonitor {
	return &LatencyMonitor{events: make(map[string]*LatencyEvent)}
}

// Record adds a sample for event.
func (l *LatencyMonitor) Record(event string, ms int64) {
	now := time.Now().Unix()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.events[event]
	if e == nil {
		e = &LatencyEvent{Name: event}
		l.events[event] = e
	}
	if ms > e.Max {
		e.Max = ms
	}
	if n := len(e.Samples); n > 0 && e.Samples[n-1].Time == now {
		if ms > e.Samples[n-1].Millis {
			e.Samples[n-1].Millis = ms
		}
		return
	}
	e.Samples = append(e.Samples, LatencySample{Time: now, Millis: ms})
	if len(e.Samples) > 160 {
		e.Samples = e.Samples[1:]
	}
}

// Events returns a copy of every event's history.
func (l *LatencyMonitor) Events() []LatencyEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]LatencyEvent, 0, len(l.events))
	for _, e := range l.events {
		cp := *e
		cp.Samples = append([]LatencySample(nil), e.Samples...)
		out = append(out, cp)
	}
	return out
}

// Reset clears the named events (all when none are named) and returns how
// many were cleared.
func (l *LatencyMonitor) Reset(names ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(names) == 0 {
		n := len(l.events)
		l.events = make(map[string]*LatencyEvent)
		return n
	}
	n := 0
	for _, name := range names {
		if _, ok := l.events[name]; ok {
			delete(l.events, name)
			n++
		}
	}
	return n
}
