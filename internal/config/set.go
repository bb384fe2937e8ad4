package config

import (
	"errors"
	"fmt"
)

// hook is an apply function: either per setting (fn gets the new value)
// or shared by a group of settings (group runs once per change).
type hook struct {
	settings []*Setting
	fn       func(value string) error
	group    func() error
}

func (h *hook) watches(changed map[*Setting]bool) bool {
	for _, s := range h.settings {
		if changed[s] {
			return true
		}
	}
	return false
}

func (c *Config) run(h hook) error {
	if h.group != nil {
		return h.group()
	}
	return h.fn(c.get(h.settings[0].Name))
}

// OnChange registers fn to run with the new canonical value whenever the
// setting (name or alias) changes through Set, and once from ApplyAll.
// It panics for an unknown name: that is a programming error.
func (c *Config) OnChange(name string, fn func(value string) error) {
	s := mustLookup(name)
	c.hooksMu.Lock()
	defer c.hooksMu.Unlock()
	c.hooks = append(c.hooks, hook{settings: []*Setting{s}, fn: fn})
}

// OnAnyChange registers fn to run once when any of the named settings
// changes in a Set (however many of them changed), and once from
// ApplyAll. It suits appliers that read several settings, like eviction
// (maxmemory, maxmemory-policy, maxmemory-samples).
func (c *Config) OnAnyChange(fn func() error, names ...string) {
	h := hook{group: fn}
	for _, n := range names {
		h.settings = append(h.settings, mustLookup(n))
	}
	c.hooksMu.Lock()
	defer c.hooksMu.Unlock()
	c.hooks = append(c.hooks, h)
}

func mustLookup(name string) *Setting {
	s, ok := Lookup(name)
	if !ok {
		panic("config: hook for unknown setting " + name)
	}
	return s
}

func (c *Config) hookList() []hook {
	c.hooksMu.Lock()
	defer c.hooksMu.Unlock()
	return append([]hook(nil), c.hooks...)
}

// ApplyAll runs every hook once, in registration order, with the current
// values. The server calls it at start-up after registering its hooks.
func (c *Config) ApplyAll() error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	for _, h := range c.hookList() {
		if err := c.run(h); err != nil {
			return fmt.Errorf("config: applying %s: %w", h.settings[0].Name, err)
		}
	}
	return nil
}

// SetOptions qualify a CONFIG SET.
type SetOptions struct {
	// LocalClient is true when the client is connected over loopback;
	// enable-protected-configs local then lets it change dir and
	// dbfilename.
	LocalClient bool
}

// Set applies CONFIG SET name value [name value ...] atomically, with
// SetOptions{} (a remote client). See SetWith.
func (c *Config) Set(pairs [][2]string) error { return c.SetWith(pairs, SetOptions{}) }

// SetWith applies CONFIG SET as Valkey's configSetCommand does: every
// name is checked first (unknown, immutable, protected, duplicate), then
// every value is parsed; nothing changes unless all are valid. The new
// values are then stored and the hooks of the settings that actually
// changed run; if one fails, the previous values are restored, the hooks
// run again with them, and the hook's error is reported. Errors are
// *SetError values whose text is the client reply.
func (c *Config) SetWith(pairs [][2]string, opt SetOptions) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	entries, err := c.checkNames(pairs, opt)
	if err != nil {
		return err
	}
	c.mu.RLock()
	old := make(map[*Setting]string, len(entries))
	work := make(map[*Setting]string, len(entries))
	for _, e := range entries {
		old[e.s] = c.values[e.s.Name]
		work[e.s] = old[e.s]
	}
	c.mu.RUnlock()
	for i, e := range entries {
		args := []string{pairs[i][1]}
		if e.s.Has(FlagMultiArg) {
			args = splitSpaces(pairs[i][1])
		}
		v, reason := parseArgs(e.s, args, parseCtx{old: work[e.s], get: c.get})
		if reason != "" {
			return &SetError{Name: e.name, Reason: reason}
		}
		work[e.s] = v
	}
	var changed []*Setting
	for _, e := range entries {
		if work[e.s] != old[e.s] && !contains(changed, e.s) {
			changed = append(changed, e.s)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	c.store(changed, work)
	return c.applyChanged(changed, old)
}

// checkNames is the first pass of configSetCommand: the first problem
// found wins.
func (c *Config) checkNames(pairs [][2]string, opt SetOptions) ([]entry, error) {
	entries := make([]entry, len(pairs))
	for i, p := range pairs {
		e, ok := lookupEntry(p[0])
		if !ok {
			return nil, &UnknownOptionError{Name: p[0]}
		}
		switch {
		case !e.s.Mutable:
			return nil, &SetError{Name: p[0], Reason: "can't set immutable config"}
		case e.s.Has(FlagProtected) && !c.protectedAllowed(opt):
			return nil, &SetError{Name: p[0], Reason: "can't set protected config"}
		}
		for _, prev := range entries[:i] {
			if prev.name == e.name {
				return nil, &SetError{Name: p[0], Reason: "duplicate parameter"}
			}
		}
		entries[i] = e
	}
	return entries, nil
}

func (c *Config) protectedAllowed(opt SetOptions) bool {
	switch c.get("enable-protected-configs") {
	case "yes":
		return true
	case "local":
		return opt.LocalClient
	}
	return false
}

func contains(list []*Setting, s *Setting) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *Config) store(list []*Setting, vals map[*Setting]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range list {
		c.values[s.Name] = vals[s]
	}
}

// applyChanged runs the hooks watching any changed setting, rolling back
// on the first failure.
func (c *Config) applyChanged(changed []*Setting, old map[*Setting]string) error {
	set := make(map[*Setting]bool, len(changed))
	for _, s := range changed {
		set[s] = true
	}
	var hooks []hook
	for _, h := range c.hookList() {
		if h.watches(set) {
			hooks = append(hooks, h)
		}
	}
	for _, h := range hooks {
		if err := c.run(h); err != nil {
			c.store(changed, old)
			var restoreErrs []error
			for _, h2 := range hooks {
				if err2 := c.run(h2); err2 != nil {
					restoreErrs = append(restoreErrs, err2)
				}
			}
			name := h.settings[0].Name
			for _, s := range changed {
				if contains(h.settings, s) {
					name = s.Name
					break
				}
			}
			return &SetError{Name: name, Reason: err.Error(), Restore: errors.Join(restoreErrs...)}
		}
	}
	return nil
}

// SetInternal changes a setting on behalf of the server itself, without
// the CONFIG SET restrictions (immutable, protected) and without running
// hooks: the caller is the one applying the change. REPLICAOF uses it so
// that CONFIG GET replicaof and CONFIG REWRITE reflect the new primary.
// The value is parsed like a file line's arguments joined by spaces.
func (c *Config) SetInternal(name string, args ...string) error {
	e, ok := lookupEntry(name)
	if !ok {
		return &UnknownOptionError{Name: name}
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	v, reason := parseArgs(e.s, args, parseCtx{old: c.get(e.s.Name), get: c.get})
	if reason != "" {
		return &SetError{Name: e.name, Reason: reason}
	}
	c.store([]*Setting{e.s}, map[*Setting]string{e.s: v})
	return nil
}

// SetError is a refused CONFIG SET. Its text is Valkey's reply.
type SetError struct {
	Name   string // the argument as given, or the setting's name
	Reason string
	// Restore collects hook failures while restoring the previous
	// values after a failed apply (Valkey only logs these).
	Restore error
}

func (e *SetError) Error() string {
	return fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", e.Name, e.Reason)
}

// UnknownOptionError is CONFIG SET of a name that is not a setting.
type UnknownOptionError struct{ Name string }

func (e *UnknownOptionError) Error() string {
	return "ERR Unknown option or number of arguments for CONFIG SET - '" + e.Name + "'"
}
