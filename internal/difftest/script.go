package difftest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/shoal-db/shoal/internal/resp"
)

// Mode says how a step's replies are compared.
type Mode int

// Comparison modes.
const (
	ModeExact Mode = iota
	ModeSort
	ModeSortPairs
	ModeIgnore
	ModeApprox
	ModeShape
	ModeScan
	ModeCapture
	ModeExpect
)

var modeNames = map[string]Mode{
	"sort": ModeSort, "sortpairs": ModeSortPairs, "ignore": ModeIgnore, "approx": ModeApprox,
	"shape": ModeShape, "scan": ModeScan, "capture": ModeCapture, "expect": ModeExpect,
}

// noArgs are the directives that take no arguments.
var noArgs = map[string]bool{"sort": true, "sortpairs": true, "scan": true, "recv": true}

func (m Mode) String() string {
	for name, v := range modeNames {
		if v == m {
			return name
		}
	}
	return "exact"
}

// Step is one command of a script (or a bare read, for Recv).
type Step struct {
	File    string
	Line    int
	Text    string   // the line as written
	Argv    []string // arguments; "${name}" is replaced by a captured value
	Conn    string   // connection name ("" is the default connection)
	Mode    Mode
	Tol     float64 // ModeApprox tolerance
	Capture string  // ModeCapture variable name
	Reason  string  // why a reply is ignored, compared by shape or expected
	// Expect is the reply Valkey gives where it deliberately differs from
	// Redis 7.0 (ModeExpect): Shoal is compared with it, not with Redis.
	Expect *resp.Reply
	Recv   bool // read one reply without sending anything
}

// Where is "file:line", for messages.
func (s *Step) Where() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Script is a parsed test script.
type Script struct {
	Name     string
	Requires []string // commands Shoal must implement for the file to run
	Steps    []*Step
}

// LoadScripts parses every *.txt file of dir, sorted by name.
func LoadScripts(dir string) ([]*Script, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("difftest: list scripts: %w", err)
	}
	var out []*Script
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("difftest: %w", err)
		}
		sc, err := ParseScript(filepath.Base(f), data)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// pending holds the directives that apply to the next command.
type pending struct {
	set     bool
	line    int
	mode    Mode
	tol     float64
	capture string
	reason  string
	expect  *resp.Reply
}

// ParseScript parses one script; name is used in messages.
func ParseScript(name string, data []byte) (*Script, error) {
	sc := &Script{Name: name}
	var (
		p    pending
		conn string
	)
	errf := func(line int, format string, args ...any) error {
		return fmt.Errorf("difftest: %s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	lines := bufio.NewScanner(bytes.NewReader(data))
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; lines.Scan(); n++ {
		text := strings.TrimSpace(lines.Text())
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			fields := strings.Fields(strings.TrimPrefix(text, "#"))
			if len(fields) == 0 {
				continue
			}
			// Directives are lower case, so that a comment starting with
			// "SCAN ..." stays a comment; a directive that takes no
			// arguments followed by words is a comment too.
			directive, args := strings.TrimSuffix(fields[0], ":"), fields[1:]
			if noArgs[directive] && len(args) > 0 {
				continue
			}
			switch directive {
			case "requires":
				sc.Requires = append(sc.Requires, args...)
			case "conn":
				if len(args) != 1 {
					return nil, errf(n, "# conn takes one name")
				}
				conn = args[0]
				if conn == "main" {
					conn = ""
				}
			case "recv":
				st := &Step{File: name, Line: n, Text: text, Conn: conn, Recv: true}
				p.apply(st)
				p = pending{}
				sc.Steps = append(sc.Steps, st)
			default:
				mode, ok := modeNames[directive]
				if !ok {
					continue // an ordinary comment
				}
				if p.set {
					return nil, errf(n, "two directives for one command (line %d)", p.line)
				}
				var err error
				if mode == ModeExpect {
					p, err = newExpect(n, text)
				} else {
					p, err = newPending(mode, n, args)
				}
				if err != nil {
					return nil, errf(n, "%v", err)
				}
			}
			continue
		}
		raw, err := resp.SplitArgs([]byte(text), nil)
		if err != nil || len(raw) == 0 {
			return nil, errf(n, "cannot split %q: unbalanced quotes", text)
		}
		argv := make([]string, len(raw))
		for i, a := range raw {
			argv[i] = string(a)
		}
		st := &Step{File: name, Line: n, Text: text, Argv: argv, Conn: conn}
		p.apply(st)
		p = pending{}
		sc.Steps = append(sc.Steps, st)
	}
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("difftest: %s: %w", name, err)
	}
	if p.set {
		return nil, errf(p.line, "directive without a command after it")
	}
	return sc, nil
}

func newPending(mode Mode, line int, args []string) (pending, error) {
	p := pending{set: true, line: line, mode: mode, reason: strings.Join(args, " ")}
	switch mode {
	case ModeApprox:
		p.tol = 1e-9
		if len(args) > 0 {
			tol, err := strconv.ParseFloat(args[0], 64)
			if err != nil || tol < 0 {
				return p, fmt.Errorf("# approx wants a non-negative tolerance, got %q", args[0])
			}
			p.tol = tol
		}
	case ModeCapture:
		if len(args) != 1 {
			return p, fmt.Errorf("# capture takes one variable name")
		}
		p.capture = args[0]
	case ModeIgnore, ModeShape:
		if len(args) == 0 {
			return p, fmt.Errorf("# %s needs a reason", mode)
		}
	}
	return p, nil
}

// newExpect parses `# expect "<reply as RESP>" reason`: the RESP text is
// one double-quoted argument in redis-cli quoting ("\r\n" escapes); the
// reason is free text.
func newExpect(line int, text string) (pending, error) {
	rest := strings.TrimSpace(strings.TrimPrefix(text, "#"))
	rest = strings.TrimSpace(rest[len("expect"):])
	end := quotedEnd(rest)
	if end < 0 {
		return pending{}, fmt.Errorf(`# expect wants "<RESP reply>" and a reason`)
	}
	args, err := resp.SplitArgs([]byte(rest[:end]), nil)
	reason := strings.TrimSpace(rest[end:])
	if err != nil || len(args) != 1 || reason == "" {
		return pending{}, fmt.Errorf(`# expect wants "<RESP reply>" and a reason`)
	}
	r, n, err := resp.ParseReply(args[0])
	if err != nil || n != len(args[0]) {
		return pending{}, fmt.Errorf("# expect: %q is not one RESP reply (%v)", args[0], err)
	}
	return pending{set: true, line: line, mode: ModeExpect, expect: r, reason: reason}, nil
}

// quotedEnd returns the index just past the double-quoted token at the
// start of s, or -1.
func quotedEnd(s string) int {
	if !strings.HasPrefix(s, `"`) {
		return -1
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

func (p pending) apply(st *Step) {
	if !p.set {
		return
	}
	st.Mode, st.Tol, st.Capture, st.Reason, st.Expect = p.mode, p.tol, p.capture, p.reason, p.expect
}
