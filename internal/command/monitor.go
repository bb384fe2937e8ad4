package command

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// MonitorSet is the set of clients that sent MONITOR.
type MonitorSet struct {
	n  atomic.Int32 // fast path: skip formatting when nobody monitors
	mu sync.Mutex
	m  map[*Client]struct{}
}

// NewMonitorSet returns an empty set.
func NewMonitorSet() *MonitorSet { return &MonitorSet{m: make(map[*Client]struct{})} }

// Add registers a monitor.
func (s *MonitorSet) Add(c *Client) {
	s.mu.Lock()
	if _, ok := s.m[c]; !ok {
		s.m[c] = struct{}{}
		s.n.Add(1)
	}
	s.mu.Unlock()
}

// Remove unregisters a monitor.
func (s *MonitorSet) Remove(c *Client) {
	s.mu.Lock()
	if _, ok := s.m[c]; ok {
		delete(s.m, c)
		s.n.Add(-1)
	}
	s.mu.Unlock()
}

// Active reports whether any client is monitoring (a lock-free check the
// dispatcher makes before formatting anything).
func (s *MonitorSet) Active() bool { return s.n.Load() > 0 }

// Feed sends one executed command to every monitor, formatted as Valkey:
// +1339518083.107412 [0 127.0.0.1:60866] "set" "foo" "bar".
func (s *MonitorSet) Feed(db int, addr string, argv [][]byte) {
	if s.n.Load() == 0 {
		return
	}
	now := time.Now()
	line := make([]byte, 0, 64)
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := now.Nanosecond() / 1000
	line = append(line, []byte(strconv.Itoa(1000000 + us))[1:]...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(db), 10)
	line = append(line, ' ')
	line = append(line, addr...)
	line = append(line, ']')
	for _, a := range argv {
		line = append(line, ' ')
		line = appendQuoted(line, a)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.m {
		c.Conn.Push(func(w *resp.Writer) { w.Simple(string(line)) })
	}
}

// appendQuoted quotes b as Valkey's sdscatrepr does.
func appendQuoted(dst, b []byte) []byte {
	dst = append(dst, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 32 && c < 127 {
				dst = append(dst, c)
			} else {
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
