package difftest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shoal-db/shoal/internal/resp"
)

// Target is one server under test with its named connections and the
// values captured from its replies.
type Target struct {
	Name  string
	Addr  string
	conns map[string]*Client
	vars  map[string]string
}

// NewTarget returns a target for the server at addr.
func NewTarget(name, addr string) *Target {
	return &Target{Name: name, Addr: addr, conns: map[string]*Client{}, vars: map[string]string{}}
}

// Close closes every connection of the target.
func (t *Target) Close() {
	for name, c := range t.conns {
		_ = c.Close()
		delete(t.conns, name)
	}
}

func (t *Target) conn(name string) (*Client, error) {
	if c, ok := t.conns[name]; ok {
		return c, nil
	}
	c, err := Dial(t.Addr)
	if err != nil {
		return nil, err
	}
	t.conns[name] = c
	return c, nil
}

// drop forgets a connection that failed or was closed by the server; the
// next step on it reconnects.
func (t *Target) drop(name string) {
	if c, ok := t.conns[name]; ok {
		_ = c.Close()
		delete(t.conns, name)
	}
}

// Exec runs one step and returns the reply to compare.
func (t *Target) Exec(st *Step) (*resp.Reply, error) {
	c, err := t.conn(st.Conn)
	if err != nil {
		return nil, err
	}
	r, err := t.exec(c, st)
	if err != nil {
		t.drop(st.Conn)
		return nil, err
	}
	if len(st.Argv) > 0 && strings.EqualFold(st.Argv[0], "quit") {
		t.drop(st.Conn)
	}
	if st.Capture != "" && r.Type == resp.TypeBulk && !r.Nil {
		t.vars[st.Capture] = r.Str
	}
	return r, nil
}

func (t *Target) exec(c *Client, st *Step) (*resp.Reply, error) {
	if st.Recv {
		// A message that was published is delivered within
		// milliseconds; do not hold the suite up when it never comes.
		return c.ReadTimeout(recvTimeout)
	}
	argv := make([]string, len(st.Argv))
	for i, a := range st.Argv {
		if strings.HasPrefix(a, "${") && strings.HasSuffix(a, "}") {
			v, ok := t.vars[a[2:len(a)-1]]
			if !ok {
				return nil, fmt.Errorf("difftest: %s: nothing captured as %s", st.Where(), a)
			}
			a = v
		}
		argv[i] = a
	}
	switch {
	case st.Mode == ModeScan:
		return scanAll(c, argv)
	case isSubscribe(argv[0]):
		return subscribe(c, argv)
	}
	return c.Do(argv...)
}

// recvTimeout bounds the wait of a "# recv" step.
const recvTimeout = 2 * time.Second

func isSubscribe(name string) bool {
	switch strings.ToLower(name) {
	case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe":
		return true
	}
	return false
}

// subscribe runs a (un)subscribe command, which answers with one reply per
// channel, and returns the replies as one array. A bare UNSUBSCRIBE (or
// PUNSUBSCRIBE) answers once per subscription it drops, a number the
// harness does not know: a PING sent right after it marks the end.
func subscribe(c *Client, argv []string) (*resp.Reply, error) {
	if err := c.Send(argv...); err != nil {
		return nil, err
	}
	bare := len(argv) == 1
	if bare {
		if err := c.Send("PING", pingMark); err != nil {
			return nil, err
		}
	}
	out := &resp.Reply{Type: resp.TypeArray}
	for i := 0; ; i++ {
		r, err := c.Read()
		if err != nil {
			return nil, err
		}
		switch {
		case bare && isPingMark(r):
			return out, nil
		case r.IsError() && !bare:
			return r, nil
		}
		out.Elems = append(out.Elems, r)
		if !bare && i+2 >= len(argv) {
			return out, nil
		}
		if i > 100000 {
			return nil, fmt.Errorf("difftest: no end to the replies of %s", argv[0])
		}
	}
}

// pingMark is the PING argument that ends a bare unsubscribe's replies.
const pingMark = "difftest-unsubscribe-end"

// isPingMark recognizes the reply to PING pingMark in every shape:
// a bulk (not subscribed), ["pong", mark] (RESP2 subscribed).
func isPingMark(r *resp.Reply) bool {
	if r.Type == resp.TypeBulk && r.Str == pingMark {
		return true
	}
	return r.IsAggregate() && len(r.Elems) == 2 && r.Elems[1].Str == pingMark
}

// scanAll iterates a SCAN-family command from cursor 0 to the end and
// returns the sorted set of what it returned: elements, or for HSCAN and
// ZSCAN (without NOVALUES) field/value pairs as two-element arrays.
func scanAll(c *Client, argv []string) (*resp.Reply, error) {
	name := strings.ToLower(argv[0])
	at := 2
	if name == "scan" {
		at = 1
	}
	if len(argv) <= at {
		return c.Do(argv...)
	}
	pairs := name == "hscan" || name == "zscan"
	for _, a := range argv[at+1:] {
		if strings.EqualFold(a, "novalues") {
			pairs = false
		}
	}
	seen := map[string]*resp.Reply{}
	cursor := "0"
	for i := 0; ; i++ {
		argv[at] = cursor
		r, err := c.Do(argv...)
		if err != nil {
			return nil, err
		}
		if r.Type != resp.TypeArray || len(r.Elems) != 2 || r.Elems[1].Type != resp.TypeArray {
			return r, nil // an error or an unexpected shape: compare it as is
		}
		collectScan(seen, r.Elems[1].Elems, pairs)
		cursor = r.Elems[0].Str
		if cursor == "0" {
			break
		}
		if i > 100000 {
			return nil, fmt.Errorf("difftest: %s did not finish after %d calls", name, i)
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &resp.Reply{Type: resp.TypeArray}
	for _, k := range keys {
		out.Elems = append(out.Elems, seen[k])
	}
	return out, nil
}

func collectScan(seen map[string]*resp.Reply, elems []*resp.Reply, pairs bool) {
	if !pairs {
		for _, e := range elems {
			seen[string(e.AppendRESP(nil))] = e
		}
		return
	}
	for i := 0; i+1 < len(elems); i += 2 {
		p := &resp.Reply{Type: resp.TypeArray, Elems: elems[i : i+2]}
		seen[string(p.AppendRESP(nil))] = p
	}
}

// Failure is one step whose replies differ.
type Failure struct {
	Step           *Step
	Oracle, Tested string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s: %s\n    redis: %s\n    shoal: %s", f.Step.Where(), f.Step.Text, f.Oracle, f.Tested)
}

// Result summarizes one script run.
type Result struct {
	File     string
	Steps    int
	Compared int
	Passed   int
	Ignored  int
	Skipped  string // why the whole file was skipped
	Failures []Failure
}

// Options tune Run.
type Options struct {
	// SelfCheck means the tested server is a second redis-server: steps
	// with a Valkey "# expect" are compared with the oracle instead.
	SelfCheck bool
	// Trace, when set, sees every step with both replies.
	Trace func(st *Step, oracle, tested string)
}

// Run executes every step of sc on both targets and compares the replies.
func Run(sc *Script, oracle, tested *Target, opts Options) Result {
	res := Result{File: sc.Name, Steps: len(sc.Steps)}
	for _, st := range sc.Steps {
		want, werr := oracle.Exec(st)
		got, gerr := tested.Exec(st)
		if opts.Trace != nil {
			opts.Trace(st, describe(want, werr), describe(got, gerr))
		}
		if werr != nil || gerr != nil {
			res.Compared++
			res.Failures = append(res.Failures, Failure{st, describe(want, werr), describe(got, gerr)})
			continue
		}
		if st.Mode == ModeIgnore || st.Mode == ModeCapture {
			res.Ignored++
			continue
		}
		res.Compared++
		if st.Mode == ModeExpect && !opts.SelfCheck {
			if st.Expect.Equal(got) {
				res.Passed++
				continue
			}
			res.Failures = append(res.Failures, Failure{st, "(Valkey, per # expect) " + st.Expect.String(), got.String()})
			continue
		}
		if Compare(st.Mode, st.Tol, want, got) {
			res.Passed++
			continue
		}
		res.Failures = append(res.Failures, Failure{st, want.String(), got.String()})
	}
	return res
}

func describe(r *resp.Reply, err error) string {
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return r.String()
}
