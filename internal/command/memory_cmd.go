package command

import (
	"runtime/debug"
	"strconv"

	"github.com/shoal-db/shoal/internal/keyspace"
	"github.com/shoal-db/shoal/internal/types"
)

func memoryCommand() *Command {
	acl := []string{"slow"}
	return container("memory", "server", "4.0.0", "A container for memory diagnostics commands.",
		&Command{Name: "usage", Arity: -3, Flags: FlagReadonly, FirstKey: 2, LastKey: 2, Step: 1,
			ACL: []string{"read", "slow"}, Since: "4.0.0", Complexity: "O(N) where N is the number of samples.",
			Summary: "Estimates the memory usage of a key.", Handler: memoryUsageCommand},
		&Command{Name: "stats", Arity: 2, ACL: acl, Since: "4.0.0", Complexity: "O(1)",
			Tips:    []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
			Summary: "Returns details about memory usage.", Handler: memoryStatsCommand},
		&Command{Name: "doctor", Arity: 2, ACL: acl, Since: "4.0.0", Complexity: "O(1)",
			Tips:    []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
			Summary: "Outputs a memory problems report.",
			Handler: func(c *Ctx) { c.W.Verbatim("txt", c.Node.memoryDoctor()) }},
		&Command{Name: "malloc-stats", Arity: 2, ACL: acl, Since: "4.0.0", Complexity: "Depends on how much memory is allocated, could be slow",
			Tips:    []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
			Summary: "Returns the allocator statistics.",
			Handler: func(c *Ctx) { c.W.Verbatim("txt", "Stats not supported for the current allocator") }},
		&Command{Name: "purge", Arity: 2, ACL: acl, Since: "4.0.0",
			Complexity: "Depends on how much memory is allocated, could be slow",
			Tips:       []string{"request_policy:all_shards", "response_policy:all_succeeded"},
			Summary:    "Asks the allocator to release memory.",
			Handler:    func(c *Ctx) { debug.FreeOSMemory(); c.W.OK() }},
		helpCommand("memory", []string{
			"DOCTOR",
			"    Return memory problems reports.",
			"MALLOC-STATS",
			"    Return internal statistics report from the memory allocator.",
			"PURGE",
			"    Attempt to purge dirty pages for reclamation by the allocator.",
			"STATS",
			"    Return information about the memory usage of the server.",
			"USAGE <key> [SAMPLES <count>]",
			"    Return memory in bytes used by <key> and its value. Nested values are",
			"    sampled up to <count> times (default: 5, 0 means sample all).",
		}),
	)
}

// memoryUsageCommand implements MEMORY USAGE key [SAMPLES count]. Shoal
// accounts every value's size exactly as it is written, so SAMPLES is
// validated but not needed.
func memoryUsageCommand(c *Ctx) {
	for j := 3; j < len(c.Argv); j++ {
		if c.ArgIs(j, "samples") && j+1 < len(c.Argv) {
			n, ok := types.ParseInt(c.Argv[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			if n < 0 {
				c.Error(ErrSyntax)
				return
			}
			j++
			continue
		}
		c.Error(ErrSyntax)
		return
	}
	e := c.Tx.Lookup(c.Argv[2], keyspace.NoTouch)
	if e == nil {
		c.W.Null()
		return
	}
	c.W.Int(keyspace.KeyMemoryUsage(c.Argv[2], e))
}

// memoryStatsCommand replies with Valkey's MEMORY STATS map. Per-key
// overheads are part of Shoal's dataset figure, so the hash table
// overheads per database are reported as 0.
func memoryStatsCommand(c *Ctx) {
	n := c.Node
	used, peak := n.samplePeakMemory()
	dataset := n.KS.DatasetBytes()
	startup := used - dataset
	allocated, active, resident := runtimeMemory()
	rss := processRSS()
	var keys int64
	var dbs []int
	for i := 0; i < n.KS.NumDBs(); i++ {
		if db := n.KS.DB(i); db != nil && (db.Size() > 0 || db.Expires() > 0) {
			keys += db.Size()
			dbs = append(dbs, i)
		}
	}
	perKey := int64(0)
	if keys > 0 {
		perKey = dataset / keys
	}
	w := c.W
	w.MapLen(27 + len(dbs))
	ints := func(pairs ...any) {
		for i := 0; i < len(pairs); i += 2 {
			w.BulkString(pairs[i].(string))
			w.Int(pairs[i+1].(int64))
		}
	}
	ints("peak.allocated", peak, "total.allocated", used, "startup.allocated", startup,
		"replication.backlog", int64(0), "clients.slaves", int64(0), "clients.normal", int64(0),
		"cluster.links", int64(0), "aof.buffer", int64(0), "lua.caches", int64(0),
		"functions.caches", int64(0))
	for _, i := range dbs {
		w.BulkString("db." + strconv.Itoa(i))
		w.MapLen(2)
		ints("overhead.hashtable.main", int64(0), "overhead.hashtable.expires", int64(0))
	}
	ints("overhead.total", startup, "keys.count", keys, "keys.bytes-per-key", perKey,
		"dataset.bytes", dataset)
	w.BulkString("dataset.percentage")
	w.Double(ratio(dataset, used) * 100)
	w.BulkString("peak.percentage")
	w.Double(ratio(used, peak) * 100)
	ints("allocator.allocated", allocated, "allocator.active", active, "allocator.resident", resident)
	w.BulkString("allocator-fragmentation.ratio")
	w.Double(ratio(active, allocated))
	ints("allocator-fragmentation.bytes", active-allocated)
	w.BulkString("allocator.rss-ratio")
	w.Double(ratio(resident, active))
	ints("allocator.rss-bytes", resident-active)
	w.BulkString("rss-overhead.ratio")
	w.Double(ratio(rss, resident))
	ints("rss-overhead.bytes", rss-resident)
	w.BulkString("fragmentation")
	w.Double(ratio(rss, used))
	ints("fragmentation.bytes", rss-used)
}

// memoryDoctor is MEMORY DOCTOR's report.
func (n *Node) memoryDoctor() string {
	if n.KS.UsedMemory() < 5<<20 {
		return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be " +
			"used in these conditions. Please, leave for your mission on Earth and fill it with some data. " +
			"The new Sam and I will be back to our programming as soon as I finished rebooting."
	}
	return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
}
