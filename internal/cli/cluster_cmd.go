package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// clusterOptions are the --cluster-* flags valkey-cli users know, plus
// shoal-cli's own (--legacy, --dry-run, migrate's --from/--to/--slots).
type clusterOptions struct {
	replicas           int
	yes                bool
	from, to           string
	slots              int
	weights            []string
	useEmpty           bool
	threshold          float64
	timeout            int
	pipeline           int
	replace            bool
	simulate           bool
	replica            bool
	primaryID          string
	multipleOwners     bool
	fixWithUnreachable bool
	purgeUnowned       bool
	legacy             bool
	parallel           int
	rate               int64
	migrateSlots       string
	watch              bool
	interval           time.Duration
}

func (a *app) clusterCommand() *cobra.Command {
	co := &clusterOptions{}
	cmd := &cobra.Command{
		Use:   "cluster <verb> [args]",
		Short: "Cluster manager (create, check, fix, info, add-node, del-node, reshard, rebalance, migrate, status)",
		Long: `Cluster manager verbs, with the flags of redis-cli --cluster.
Slots move with atomic slot migration (CLUSTER MIGRATESLOTS) unless --legacy
is given. The node argument [host:port] defaults to -h/-p.
Other words after "cluster" are sent to the server as a CLUSTER command
("shoal-cli cluster nodes"); use upper case ("CLUSTER INFO") for the server's
CLUSTER INFO.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return a.oneOff(cmd.Context(), append([]string{"CLUSTER"}, args...))
		},
	}
	cmd.AddCommand(
		a.verb(co, "create host1:port1 ... hostN:portN", "Create a cluster from empty nodes", 1, -1, a.clusterCreate,
			replicasFlags),
		a.verb(co, "check [host:port]", "Check the cluster (exit status 3 when it is not OK)", 0, 1, a.clusterCheck,
			checkFlags),
		a.verb(co, "fix [host:port]", "Fix open slots, coverage and keys in the wrong node", 0, 1, a.clusterFix,
			checkFlags, fixFlags, moverFlags, yesFlag),
		a.verb(co, "info [host:port]", "Keys, slots and replicas per primary", 0, 1, a.clusterInfo),
		a.verb(co, "add-node new_host:new_port existing_host:existing_port", "Add a node (as a primary or replica)",
			2, 2, a.clusterAddNode, addNodeFlags),
		a.verb(co, "del-node host:port node_id", "Remove an empty node from the cluster", 2, 2, a.clusterDelNode),
		a.verb(co, "reshard [host:port]", "Move slots to one node", 0, 1, a.clusterReshard,
			reshardFlags, moverFlags, yesFlag),
		a.verb(co, "rebalance [host:port]", "Even out slots across primaries by weight", 0, 1, a.clusterRebalance,
			rebalanceFlags, moverFlags),
		a.verb(co, "migrate [host:port]", "Move slot ranges from one node to another", 0, 1, a.clusterMigrate,
			migrateFlags, moverFlags),
		a.verb(co, "status [host:port]", "Every slot migration job in the cluster", 0, 1, a.clusterStatus,
			statusFlags),
	)
	return cmd
}

type verbFunc func(ctx context.Context, m *manager, co *clusterOptions, args []string) error

// verb builds one cluster verb: argument count checks, its flags, and a
// manager closed when it returns.
func (a *app) verb(co *clusterOptions, use, short string, minArgs, maxArgs int, run verbFunc,
	flagSets ...func(*pflag.FlagSet, *clusterOptions)) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < minArgs || (maxArgs >= 0 && len(args) > maxArgs) {
				return usagef("wrong number of arguments for cluster %s", strings.Fields(use)[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			a.authWarning()
			m := a.newManager()
			defer m.close()
			if a.io.Getenv("VALKEYCLI_CLUSTER_YES") != "" || a.io.Getenv("REDISCLI_CLUSTER_YES") != "" {
				co.yes = true
			}
			return run(cmd.Context(), m, co, args)
		},
	}
	for _, f := range flagSets {
		f(cmd.Flags(), co)
	}
	// valkey-cli spells primaries "masters" in some flags; accept both.
	cmd.Flags().SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		name = strings.ReplaceAll(name, "primaries", "masters")
		return pflag.NormalizedName(strings.ReplaceAll(name, "primary", "master"))
	})
	return cmd
}

func yesFlag(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.yes, "cluster-yes", false, "answer yes to every question")
}

func replicasFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.IntVar(&co.replicas, "cluster-replicas", 0, "replicas per primary")
	yesFlag(f, co)
}

func checkFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.multipleOwners, "cluster-search-multiple-owners", false,
		"also look for slots claimed by several primaries")
}

func fixFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.fixWithUnreachable, "cluster-fix-with-unreachable-masters", false,
		"fix even though some primaries cannot be reached (dangerous)")
	f.BoolVar(&co.purgeUnowned, "cluster-purge-unowned", false,
		"delete keys found in slots their node does not own instead of moving them to the owner")
}

func moverFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.legacy, "legacy", false, "move slots with SETSLOT/GETKEYSINSLOT/MIGRATE instead of CLUSTER MIGRATESLOTS")
	f.IntVar(&co.timeout, "cluster-timeout", 60000, "legacy: MIGRATE timeout in milliseconds")
	f.IntVar(&co.pipeline, "cluster-pipeline", 10, "legacy: keys per GETKEYSINSLOT/MIGRATE batch")
	f.BoolVar(&co.replace, "cluster-replace", false, "legacy: replace keys that exist on the target")
	f.IntVar(&co.parallel, "parallel", 0, "atomic: jobs running at once (0: all)")
	f.Int64Var(&co.rate, "rate", 0, "atomic: bytes per second per job (Shoal's MIGRATESLOTS ... RATE), 0 for no limit")
}

func reshardFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.StringVar(&co.from, "cluster-from", "", "source node ids, comma separated, or \"all\"")
	f.StringVar(&co.to, "cluster-to", "", "receiving node id")
	f.IntVar(&co.slots, "cluster-slots", 0, "number of slots to move")
}

func rebalanceFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.StringArrayVar(&co.weights, "cluster-weight", nil, "node weight as <node id or prefix>=<weight> (repeatable)")
	f.BoolVar(&co.useEmpty, "cluster-use-empty-masters", false, "give slots to primaries that have none")
	f.Float64Var(&co.threshold, "cluster-threshold", 2, "only rebalance when a node is off by more than this percentage")
	f.BoolVar(&co.simulate, "cluster-simulate", false, "print the plan, move nothing")
	f.BoolVar(&co.simulate, "dry-run", false, "print the plan, move nothing")
}

func addNodeFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.replica, "cluster-slave", false, "add the node as a replica")
	f.BoolVar(&co.replica, "cluster-replica", false, "add the node as a replica")
	f.StringVar(&co.primaryID, "cluster-master-id", "", "the primary the new replica replicates (default: the one with fewest replicas)")
}

func migrateFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.StringVar(&co.from, "from", "", "source node id (or host:port)")
	f.StringVar(&co.to, "to", "", "target node id (or host:port)")
	f.StringVar(&co.migrateSlots, "slots", "", "slot ranges, e.g. 0-99,200,300-400")
	yesFlag(f, co)
}

func statusFlags(f *pflag.FlagSet, co *clusterOptions) {
	f.BoolVar(&co.watch, "watch", false, "refresh until no job is running")
	f.DurationVar(&co.interval, "interval", time.Second, "refresh interval with --watch")
}

// moveOptions turns the flags into mover settings.
func (co *clusterOptions) moveOptions() moveOptions {
	o := defaultMoveOptions()
	o.legacy, o.replace, o.parallel, o.rate = co.legacy, co.replace, co.parallel, co.rate
	if co.timeout > 0 {
		o.timeout = co.timeout
	}
	if co.pipeline > 0 {
		o.pipeline = co.pipeline
	}
	return o
}

// confirm asks a yes/no question (valkey-cli's confirmWithYes);
// --cluster-yes answers it.
func (m *manager) confirm(co *clusterOptions, question string) bool {
	if co.yes {
		return true
	}
	fmt.Fprintf(m.questions(), "%s (type 'yes' to accept): ", question)
	return strings.TrimSpace(m.a.readLine()) == "yes"
}

// questions is where prompts go: stdout, or stderr when stdout carries
// JSON events.
func (m *manager) questions() io.Writer {
	if m.a.opts.json {
		return m.a.io.Err
	}
	return m.a.io.Out
}
