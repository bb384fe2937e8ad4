package difftest

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/shoal-db/shoal/internal/testutil"
)

// maxReported bounds the mismatches printed per file; the rest are counted.
const maxReported = 40

// TestDifferential runs every script in testdata/ against redis-server and
// Shoal, one fresh pair of servers per script. SHOAL_DIFFTEST_TRACE=1 logs
// every step with both replies; SHOAL_DIFFTEST_REPORT=file also writes the
// per-file summary there.
func TestDifferential(t *testing.T) { runAll(t, false) }

// TestScriptsDeterministic runs every script against two redis-server
// processes: a script whose replies differ there compares something that is
// not deterministic (cursor values, random picks, timing) and must use a
// directive (# scan, # sort, # shape, # approx) instead.
func TestScriptsDeterministic(t *testing.T) { runAll(t, true) }

func runAll(t *testing.T, selfCheck bool) {
	bin := RequireBinary(t, "redis-server")
	scripts, err := LoadScripts("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no scripts in testdata/")
	}
	var (
		mu      sync.Mutex
		results []Result
	)
	t.Run("scripts", func(t *testing.T) {
		for _, sc := range scripts {
			t.Run(strings.TrimSuffix(sc.Name, ".txt"), func(t *testing.T) {
				t.Parallel()
				res := Result{File: sc.Name, Skipped: "did not finish"}
				defer func() {
					mu.Lock()
					results = append(results, res)
					mu.Unlock()
				}()
				res = runScript(t, sc, bin, selfCheck)
			})
		}
	})
	report := summary(results)
	t.Log("summary (compared steps passed / compared; ignored steps are run, not compared):\n" + report)
	if path := os.Getenv("SHOAL_DIFFTEST_REPORT"); path != "" && !selfCheck {
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Errorf("write report: %v", err)
		}
	}
}

func runScript(t *testing.T, sc *Script, bin string, selfCheck bool) Result {
	oracle := StartRedis(t, bin)
	subjectAddr := ""
	if selfCheck {
		subjectAddr = StartRedis(t, bin).Addr
	} else {
		subjectAddr = testutil.StartServer(t).Addr()
	}
	missing, err := HasCommands(subjectAddr, sc.Requires)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		// Not t.Skip: the summary must still list the file.
		t.Logf("%s: skipped, the server does not implement %s yet", sc.Name, strings.Join(missing, ", "))
		return Result{File: sc.Name, Steps: len(sc.Steps), Skipped: "needs " + strings.Join(missing, ", ")}
	}
	o, s := NewTarget("redis", oracle.Addr), NewTarget("shoal", subjectAddr)
	defer o.Close()
	defer s.Close()
	opts := Options{SelfCheck: selfCheck}
	if os.Getenv("SHOAL_DIFFTEST_TRACE") != "" {
		opts.Trace = func(st *Step, want, got string) {
			t.Logf("%s: %s\n    redis: %s\n    shoal: %s", st.Where(), st.Text, want, got)
		}
	}
	res := Run(sc, o, s, opts)
	for i, f := range res.Failures {
		if i == maxReported {
			t.Errorf("... and %d more mismatches in %s", len(res.Failures)-maxReported, sc.Name)
			break
		}
		t.Errorf("mismatch at %s", f)
	}
	t.Logf("%s: %d/%d compared steps passed, %d ignored", sc.Name, res.Passed, res.Compared, res.Ignored)
	return res
}

func summary(results []Result) string {
	sort.Slice(results, func(i, j int) bool { return results[i].File < results[j].File })
	var sb strings.Builder
	var passed, compared int
	for _, r := range results {
		if r.Skipped != "" {
			fmt.Fprintf(&sb, "  %-28s skipped (%s)\n", r.File, r.Skipped)
			continue
		}
		fmt.Fprintf(&sb, "  %-28s %4d/%-4d passed, %3d ignored\n", r.File, r.Passed, r.Compared, r.Ignored)
		passed += r.Passed
		compared += r.Compared
	}
	fmt.Fprintf(&sb, "  %-28s %4d/%-4d passed\n", "TOTAL", passed, compared)
	return sb.String()
}
