package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// maxIncludeDepth bounds nested includes; loops are reported before it
// matters, this only stops absurdly deep (but finite) chains.
const maxIncludeDepth = 64

// LoadFile reads a valkey.conf-syntax file into c and makes it the file
// CONFIG REWRITE writes back. Hooks do not run: loading happens before
// the server registers them (ApplyAll applies the result).
func (c *Config) LoadFile(path string) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if err := c.loadFile(path); err != nil {
		return err
	}
	return c.sanityCheck()
}

// LoadArgs applies command-line directives (--name value ...), as if they
// were lines appended to the configuration file.
func (c *Config) LoadArgs(args []string) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if err := c.loadArgs(args); err != nil {
		return err
	}
	return c.sanityCheck()
}

// LoadString reads configuration text as if it were a file named name
// (used by tests and for embedded defaults). It does not change File().
func (c *Config) LoadString(name, text string) error {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	l := &loader{c: c}
	if err := l.loadText(name, text); err != nil {
		return err
	}
	return c.sanityCheck()
}

func (c *Config) loadFile(path string) error {
	abs := absPath("", path)
	c.mu.Lock()
	c.file = abs
	c.mu.Unlock()
	l := &loader{c: c}
	return l.loadPath(abs, path, nil)
}

func (c *Config) loadArgs(args []string) error {
	if len(args) == 0 {
		return nil
	}
	l := &loader{c: c}
	return l.loadText("", argsToOptions(args))
}

// sanityCheck runs the checks Valkey makes after reading all directives.
func (c *Config) sanityCheck() error {
	if c.get("cluster-enabled") == "yes" && c.get("replicaof") != "" {
		return &FileError{Reason: "replicaof directive not allowed in cluster mode"}
	}
	return nil
}

// loader reads one configuration source and the files it includes.
type loader struct {
	c     *Config
	stack []string // absolute paths of the files being read
}

// loadPath reads the file at abs (shown to the user as shown). at is the
// include line that asked for it, for errors, or nil at the top level.
func (l *loader) loadPath(abs, shown string, at *FileError) error {
	for i, p := range l.stack {
		if p == abs {
			chain := append(append([]string{}, l.stack[i:]...), abs)
			return at.with("include loop: " + strings.Join(chain, " -> "))
		}
	}
	if len(l.stack) >= maxIncludeDepth {
		return at.with(fmt.Sprintf("too many nested includes (more than %d)", maxIncludeDepth))
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return at.with(fmt.Sprintf("Fatal error, can't open config file '%s': %s", shown, strerror(err)))
	}
	l.stack = append(l.stack, abs)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	return l.loadText(abs, string(data))
}

// loadText parses configuration text line by line, as
// loadServerConfigFromString does. file is "" for command-line options.
func (l *loader) loadText(file, text string) error {
	for i, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fe := &FileError{File: file, Line: i + 1, Text: line}
		if err := l.directive(line, fe); err != nil {
			return err
		}
	}
	return nil
}

// directive applies one non-comment line.
func (l *loader) directive(line string, fe *FileError) error {
	parts, err := resp.SplitArgs([]byte(line), nil)
	if err != nil {
		return fe.with("Unbalanced quotes in configuration line")
	}
	if len(parts) == 0 {
		return nil
	}
	argv := make([]string, len(parts))
	for i, p := range parts {
		argv[i] = string(p)
	}
	name := strings.ToLower(argv[0])
	if e, ok := lookupEntry(name); ok {
		return l.setting(e.s, argv, fe)
	}
	if deprecatedDirectives[name] && len(argv) == 2 {
		return nil
	}
	switch {
	case name == "include" && len(argv) == 2:
		return l.include(argv[1], fe)
	case name == "rename-command" && len(argv) == 3:
		return fe.with("rename-command is not supported by Shoal")
	case name == "user" && len(argv) >= 2:
		return fe.with("ACL users in the configuration file are not supported by Shoal; use requirepass")
	case name == "loadmodule" && len(argv) >= 2:
		return fe.with("modules are not supported by Shoal")
	case name == "sentinel":
		return fe.with("sentinel mode is not supported by Shoal")
	}
	return fe.with("Bad directive or wrong number of arguments")
}

// setting applies a known directive. A multi-argument setting given a
// single non-empty argument splits it again, so that both
// `bind "127.0.0.1 ::1"` and `--save "3600 1 300 100"` work.
func (l *loader) setting(s *Setting, argv []string, fe *FileError) error {
	args := argv[1:]
	if !s.Has(FlagMultiArg) && len(args) != 1 {
		return fe.with("wrong number of arguments")
	}
	if s.Has(FlagMultiArg) && len(args) == 1 && args[0] != "" {
		parts, err := resp.SplitArgs([]byte(args[0]), nil)
		if err != nil {
			return fe.with("Unbalanced quotes in configuration line")
		}
		args = make([]string, len(parts))
		for i, p := range parts {
			args[i] = string(p)
		}
	}
	c := l.c
	ctx := parseCtx{old: c.get(s.Name), loading: true, get: c.get}
	c.mu.RLock()
	ctx.saveLoaded = c.saveLoaded
	c.mu.RUnlock()
	v, reason := parseArgs(s, args, ctx)
	if reason != "" {
		return fe.with(reason)
	}
	c.mu.Lock()
	c.values[s.Name] = v
	if s.special == saveOps {
		c.saveLoaded = true
	}
	c.mu.Unlock()
	return nil
}

// include reads another file. A relative path is relative to the
// current dir setting, where Valkey (which chdir()s on dir) would look.
// Glob patterns include every match in order, and none at all is fine.
func (l *loader) include(path string, fe *FileError) error {
	abs := absPath(l.c.get("dir"), path)
	if !strings.ContainsAny(path, "*?[") {
		return l.loadPath(abs, path, fe)
	}
	matches, err := filepath.Glob(abs)
	if err != nil {
		return fe.with(fmt.Sprintf("Fatal error, bad include pattern '%s': %v", path, err))
	}
	sort.Strings(matches)
	for _, m := range matches {
		if err := l.loadPath(m, m, fe); err != nil {
			return err
		}
	}
	return nil
}

// argsToOptions turns command-line arguments into configuration lines
// exactly as valkey-server's main() does: "--name" starts a line, the
// following arguments are quoted and appended to it (so --save 3600 1
// 300 100 is one directive), an argument right after a bare "--name" is
// a value even if it starts with "--", and a bare --save followed by
// another flag (or at the end) means save "".
func argsToOptions(args []string) string {
	var b strings.Builder
	handledLast := true
	for j, a := range args {
		if handledLast && strings.HasPrefix(a, "--") {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			parts, _ := resp.SplitArgs([]byte(a), nil)
			if len(parts) != 1 {
				// "--port 6380" as one argument: name and value together.
				handledLast = true
				continue
			}
			handledLast = false
			last := j == len(args)-1
			if strings.EqualFold(a, "--save") && (last || strings.HasPrefix(args[j+1], "--")) {
				b.WriteString(`""`)
				handledLast = !last
			}
			continue
		}
		b.WriteString(repr(a))
		b.WriteByte(' ')
		handledLast = true
	}
	return b.String()
}
