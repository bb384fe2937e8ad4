package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/shoal-db/shoal/"

// allowed lists, for each internal package, the internal packages it may
// import. Imports flow downward only: resp, slot, glob, types, config →
// keyspace → command → server → cmd. A package missing here fails the test,
// so a new package must be placed in the layering deliberately.
var allowed = map[string][]string{
	"internal/resp":     {},
	"internal/slot":     {},
	"internal/glob":     {},
	"internal/netyield": {}, // a scheduling primitive, the standard library only
	"internal/types":    {"internal/slot"},
	"internal/config":   {"internal/glob", "internal/resp"},
	"internal/pubsub":   {"internal/glob", "internal/slot"},
	"internal/keyspace": {"internal/types", "internal/slot", "internal/glob", "internal/resp", "internal/netyield"},
	"internal/command": {"internal/keyspace", "internal/resp", "internal/types", "internal/config",
		"internal/pubsub", "internal/slot", "internal/glob",
		"internal/cluster",    // the pure state machine: CLUSTER commands, routing snapshots
		"internal/migration"}, // atomic slot migration jobs
	"internal/migration": {"internal/keyspace", "internal/cluster", "internal/config", "internal/resp", "internal/slot",
		"internal/netyield"},
	// Replication: the backlog, the primary and replica sides; it applies
	// the stream through the command layer's dispatcher, and reads the
	// cluster state's open slots for a full sync (SETSLOT markers).
	"internal/repl": {"internal/command", "internal/keyspace", "internal/resp", "internal/config", "internal/cluster"},
	"internal/server": {"internal/command", "internal/keyspace", "internal/resp", "internal/config",
		"internal/pubsub", "internal/types", "internal/slot", "internal/glob",
		"internal/migration", "internal/repl", "internal/netyield",
		"internal/cluster", "internal/cluster/bus"}, // cluster mode: the Runner and the TCP bus
	"internal/testutil":  {"internal/server", "internal/config"},
	"internal/archtest":  {},
	"internal/difftest":  {"internal/testutil", "internal/resp", "internal/server", "internal/config"},
	"internal/toolstest": {"internal/testutil", "internal/server", "internal/config"},
	"cmd/shoal-server":   {"internal/server", "internal/config"},
	// The load generator is a client: the reply parser and slot hashing only.
	"internal/loadgen":    {"internal/resp", "internal/slot"},
	"cmd/shoal-benchmark": {"internal/loadgen"},
	"bench/migration":     {"internal/loadgen", "bench/internal/warm"}, // the migration experiment drives load in-process
	// shoal-cli: a client of the servers, over the wire only.
	"internal/cli":  {"internal/resp"},
	"cmd/shoal-cli": {"internal/cli"},
	// Cluster-mode end-to-end tests (test files only).
	"internal/clustertest": {"internal/testutil", "internal/difftest", "internal/slot"},
	// Legacy slot migration driven by redis-cli (test files only).
	"internal/legacytest": {"internal/testutil", "internal/difftest", "internal/slot", "internal/server"},
	// bench/legacy-rebalance.sh's data loader (go-redis only) and the
	// benchmarks' memory warm-up (the standard library only).
	"bench/legacyload":    {"bench/internal/warm"},
	"bench/internal/warm": {},

	// The cluster state machine is pure (slots only); its bus adds the wire
	// and the network, nothing from the server side.
	"internal/cluster":     {"internal/slot"},
	"internal/cluster/bus": {"internal/cluster", "internal/slot"},
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/shoal-db/shoal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		ok, known := allowed[name]
		if !known {
			t.Errorf("package %s is not placed in the layering (add it to allowed)", name)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			dep := strings.TrimPrefix(imp, module)
			if !contains(ok, dep) {
				t.Errorf("%s imports %s, which the layering forbids", name, dep)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
