package config

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/shoal-db/shoal/internal/glob"
)

// Config holds the current value of every setting, in canonical form
// (what CONFIG GET shows). It is safe for concurrent use: reads take a
// read lock, and Set, loading and Rewrite are serialised among themselves.
type Config struct {
	// opMu serialises operations that change values or the file (Set,
	// loading, Rewrite), so that apply hooks run one change at a time and
	// may themselves call Get.
	opMu sync.Mutex

	mu     sync.RWMutex
	values map[string]string // canonical name -> canonical value
	file   string            // absolute path of the configuration file
	// saveLoaded records that a save directive was read while loading,
	// after which further save lines accumulate (see parseSave).
	saveLoaded bool

	hooksMu sync.Mutex
	hooks   []hook
}

// New returns a Config holding every setting's default. dir defaults to
// the process's working directory, as an absolute path.
func New() *Config {
	c := &Config{values: make(map[string]string, len(settings))}
	for i := range settings {
		c.values[settings[i].Name] = settings[i].Default
	}
	if wd, err := os.Getwd(); err == nil {
		c.values["dir"] = wd
	}
	return c
}

// Parse builds a Config from shoal-server's arguments, as valkey-server
// reads its own: [config-file] [--directive value ...]. The first
// argument is the configuration file unless it starts with '-'; flags
// are applied after the file, so they override it.
func Parse(args []string) (*Config, error) {
	c := New()
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if err := c.loadFile(args[0]); err != nil {
			return nil, err
		}
		args = args[1:]
	}
	if err := c.loadArgs(args); err != nil {
		return nil, err
	}
	if err := c.sanityCheck(); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns a setting's current value by name or alias.
func (c *Config) Get(name string) (string, bool) {
	e, ok := lookupEntry(name)
	if !ok {
		return "", false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.values[e.s.Name], true
}

// get is Get for internal callers that know the name exists.
func (c *Config) get(name string) string {
	v, _ := c.Get(name)
	return v
}

// Int returns a numeric setting's value: memory values in bytes,
// percentages as negative numbers (maxmemory-clients 10% is -10). An
// unsigned value beyond int64 reads as math.MaxInt64; unknown or
// non-numeric settings read as 0.
func (c *Config) Int(name string) int64 {
	e, ok := lookupEntry(name)
	if !ok {
		return 0
	}
	v := c.get(name)
	n := numericOf(e.s, v)
	if e.s.Has(FlagUnsigned) && e.s.Type == TypeMemory && n < 0 {
		return math.MaxInt64
	}
	return n
}

// Bool returns a yes/no setting's value.
func (c *Config) Bool(name string) bool {
	return c.get(name) == "yes"
}

// File is the absolute path of the configuration file, or "".
func (c *Config) File() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file
}

// Dir is the dir setting: the absolute directory for data files.
func (c *Config) Dir() string { return c.get("dir") }

// Match returns the name/value pairs CONFIG GET replies with for the
// given patterns, as Valkey 7+ does: a pattern without glob characters
// is an exact (case-insensitive) lookup that may name an alias or a
// hidden setting and is reported under the name as given; a glob pattern
// matches every non-hidden name and alias. Duplicates are dropped and the
// result is sorted by name.
func (c *Config) Match(patterns ...string) [][2]string {
	type match struct {
		key string
		s   *Setting
	}
	var found []match
	seen := make(map[string]bool)
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			if e, ok := lookupEntry(p); ok && !seen[e.name] {
				seen[e.name] = true
				found = append(found, match{p, e.s})
			}
			continue
		}
		for _, e := range nameIndex.entries {
			if e.s.Has(FlagHidden) || seen[e.name] {
				continue
			}
			if glob.MatchString(p, e.name, true) {
				seen[e.name] = true
				found = append(found, match{e.name, e.s})
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].key < found[j].key })
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([][2]string, len(found))
	for i, m := range found {
		v := c.values[m.s.Name]
		if m.s.special != nil && m.s.special.show != nil {
			v = m.s.special.show(v)
		}
		out[i] = [2]string{m.key, v}
	}
	return out
}

// IsSensitive reports whether a setting holds a secret (requirepass,
// primaryauth, ...), so its CONFIG SET value should be redacted from
// SLOWLOG, MONITOR and logs.
func IsSensitive(name string) bool {
	s, ok := Lookup(name)
	return ok && s.Has(FlagSensitive)
}

// SaveParams returns the save setting as (seconds, changes) pairs.
func (c *Config) SaveParams() [][2]int64 {
	f := strings.Fields(c.get("save"))
	out := make([][2]int64, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		s, _ := strconv.ParseInt(f[i], 10, 64)
		n, _ := strconv.ParseInt(f[i+1], 10, 64)
		out = append(out, [2]int64{s, n})
	}
	return out
}

// BufferLimit is one client class's output buffer limits.
type BufferLimit struct {
	Hard, Soft  uint64 // bytes; 0 means no limit
	SoftSeconds int64
}

// OutputBufferLimit returns client-output-buffer-limit for a class:
// "normal", "replica" (or "slave") or "pubsub".
func (c *Config) OutputBufferLimit(class string) (BufferLimit, bool) {
	i := obufClass(class)
	if i < 0 {
		return BufferLimit{}, false
	}
	f := strings.Fields(obufSplit(c.get("client-output-buffer-limit"))[i])
	var l BufferLimit
	l.Hard, _ = strconv.ParseUint(f[0], 10, 64)
	l.Soft, _ = strconv.ParseUint(f[1], 10, 64)
	l.SoftSeconds, _ = strconv.ParseInt(f[2], 10, 64)
	return l, true
}

// BindAddrs returns the bind addresses; a leading '-' marks an address
// that may be unavailable.
func (c *Config) BindAddrs() []string { return strings.Fields(c.get("bind")) }

// absPath makes a path absolute against base (or the process directory).
func absPath(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	if base == "" {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return p
	}
	return filepath.Join(base, p)
}
