package command

import (
	"sync"
	"time"
)

// SlowlogEntry is one SLOWLOG GET record.
type SlowlogEntry struct {
	ID         int64
	Time       int64 // unix seconds
	Micros     int64
	Argv       [][]byte
	ClientAddr string
	ClientName string
}

// Slowlog keeps the most recent commands slower than
// slowlog-log-slower-than, newest first.
type Slowlog struct {
	mu      sync.Mutex
	nextID  int64
	entries []SlowlogEntry
	maxLen  int
}

// NewSlowlog returns an empty slow log with Valkey's default length.
func NewSlowlog() *Slowlog { return &Slowlog{maxLen: 128} }

// SetMaxLen sets slowlog-max-len, trimming if needed.
func (s *Slowlog) SetMaxLen(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxLen = n
	if len(s.entries) > n {
		s.entries = s.entries[:n]
	}
}

// Record adds an entry. argv is copied, and trimmed as Valkey does: at most
// 32 arguments and 128 bytes per argument.
func (s *Slowlog) Record(argv [][]byte, d time.Duration, addr, name string) {
	n := len(argv)
	if n > 32 {
		n = 32
	}
	cp := make([][]byte, n)
	for i := 0; i < n; i++ {
		a := argv[i]
		switch {
		case i == 31 && len(argv) > 32:
			cp[i] = []byte("... (" + itoa(int64(len(argv)-31)) + " more arguments)")
		case len(a) > 128:
			cp[i] = append(append([]byte(nil), a[:128]...), "... ("+itoa(int64(len(a)-128))+" more bytes)"...)
		default:
			cp[i] = append([]byte(nil), a...)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxLen == 0 {
		return
	}
	e := SlowlogEntry{ID: s.nextID, Time: time.Now().Unix(), Micros: d.Microseconds(), Argv: cp, ClientAddr: addr, ClientName: name}
	s.nextID++
	s.entries = append([]SlowlogEntry{e}, s.entries...)
	if len(s.entries) > s.maxLen {
		s.entries = s.entries[:s.maxLen]
	}
}

// Get returns up to n newest entries (n < 0: all).
func (s *Slowlog) Get(n int) []SlowlogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 || n > len(s.entries) {
		n = len(s.entries)
	}
	return append([]SlowlogEntry(nil), s.entries[:n]...)
}

// Len is the number of entries.
func (s *Slowlog) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Reset clears the log.
func (s *Slowlog) Reset() {
	s.mu.Lock()
	s.entries = nil
	s.mu.Unlock()
}
