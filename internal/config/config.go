package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/shoal-db/shoal/internal/glob"
)

// Config holds the current value of every setting.
type Config struct {
	mu     sync.RWMutex
	values map[string]string // canonical name -> canonical value
	hooks  map[string][]func(string) error
	file   string
}

// New returns a Config holding every setting's default.
func New() *Config {
	c := &Config{values: make(map[string]string), hooks: make(map[string][]func(string) error)}
	for _, s := range settings {
		c.values[s.Name] = s.Default
	}
	return c
}

// Parse builds a Config from shoal-server's arguments:
// [config-file] [--directive value ...].
func Parse(args []string) (*Config, error) {
	c := New()
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		if err := c.LoadFile(args[0]); err != nil {
			return nil, err
		}
		args = args[1:]
	}
	if err := c.LoadArgs(args); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadFile reads a valkey.conf-syntax file.
func (c *Config) LoadFile(path string) error {
	return fmt.Errorf("config: loading %s: not implemented", path)
}

// LoadArgs applies --directive value ... pairs.
func (c *Config) LoadArgs(args []string) error {
	for i := 0; i < len(args); i += 2 {
		name := strings.TrimPrefix(args[i], "--")
		if i+1 >= len(args) {
			return fmt.Errorf("config: directive %q needs a value", name)
		}
		if err := c.setOne(name, args[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func lookup(name string) *Setting {
	name = strings.ToLower(name)
	for i := range settings {
		if settings[i].Name == name {
			return &settings[i]
		}
	}
	return nil
}

func (c *Config) setOne(name, value string) error {
	s := lookup(name)
	if s == nil {
		return fmt.Errorf("config: unknown directive %q", name)
	}
	c.mu.Lock()
	c.values[s.Name] = value
	c.mu.Unlock()
	return nil
}

// Get returns a setting's current value.
func (c *Config) Get(name string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.values[strings.ToLower(name)]
	return v, ok
}

// Int returns an integer or memory setting's value.
func (c *Config) Int(name string) int64 {
	v, _ := c.Get(name)
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// Bool returns a yes/no setting's value.
func (c *Config) Bool(name string) bool {
	v, _ := c.Get(name)
	return v == "yes"
}

// Match returns name/value pairs of settings matching a CONFIG GET pattern.
func (c *Config) Match(pattern string) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	for _, s := range settings {
		if glob.MatchString(pattern, s.Name, true) {
			out = append(out, [2]string{s.Name, c.values[s.Name]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Set applies CONFIG SET name value [name value ...] atomically.
func (c *Config) Set(pairs [][2]string) error {
	for _, p := range pairs {
		if err := c.setOne(p[0], p[1]); err != nil {
			return err
		}
		for _, h := range c.hooks[lookup(p[0]).Name] {
			if err := h(p[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// OnChange registers fn to run when name changes.
func (c *Config) OnChange(name string, fn func(value string) error) {
	s := lookup(name)
	if s == nil {
		panic("config: OnChange for unknown setting " + name)
	}
	c.hooks[s.Name] = append(c.hooks[s.Name], fn)
}

// ApplyAll runs every hook with the current values (start-up).
func (c *Config) ApplyAll() error {
	for name, hs := range c.hooks {
		v, _ := c.Get(name)
		for _, h := range hs {
			if err := h(v); err != nil {
				return fmt.Errorf("config: %s: %w", name, err)
			}
		}
	}
	return nil
}

// Rewrite writes the current configuration back to the file it came from.
func (c *Config) Rewrite() error {
	return fmt.Errorf("ERR The server is running without a config file")
}

// File is the path of the configuration file, or "".
func (c *Config) File() string { return c.file }
