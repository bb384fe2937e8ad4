package command

import (
	"strings"
	"time"
)

func configCommand() *Command {
	admin := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	acl := []string{"admin", "slow", "dangerous"}
	return container("config", "server", "2.0.0", "A container for server configuration commands.",
		&Command{Name: "get", Arity: -3, Flags: admin, ACL: acl, Since: "2.0.0",
			Complexity: "O(N) when N is the number of configuration parameters provided",
			Summary:    "Returns the effective values of configuration parameters.", Handler: configGetCommand},
		&Command{Name: "set", Arity: -4, Flags: admin, ACL: acl, Since: "2.0.0",
			Tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
			Complexity: "O(N) when N is the number of configuration parameters provided",
			Summary:    "Sets configuration parameters in-flight.", Handler: configSetCommand},
		&Command{Name: "resetstat", Arity: 2, Flags: admin, ACL: acl, Since: "2.0.0", Complexity: "O(1)",
			Tips:    []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
			Summary: "Resets the server's statistics.",
			Handler: func(c *Ctx) { c.Node.ResetStats(); c.W.OK() }},
		&Command{Name: "rewrite", Arity: 2, Flags: admin, ACL: acl, Since: "2.8.0", Complexity: "O(1)",
			Tips:    []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
			Summary: "Persists the effective configuration to file.", Handler: configRewriteCommand},
		helpCommand("config", []string{
			"GET <pattern>",
			"    Return parameters matching the glob-like <pattern> and their values.",
			"SET <directive> <value>",
			"    Set the configuration <directive> to <value>.",
			"RESETSTAT",
			"    Reset statistics reported by the INFO command.",
			"REWRITE",
			"    Rewrite the configuration file.",
		}),
	)
}

// configGetCommand answers CONFIG GET pattern [pattern ...] with one map
// of every matching parameter, each reported once however many patterns
// match it.
func configGetCommand(c *Ctx) {
	seen := make(map[string]bool)
	var pairs [][2]string
	for _, p := range c.Argv[2:] {
		for _, kv := range c.Node.Config.Match(string(p)) {
			if !seen[kv[0]] {
				seen[kv[0]] = true
				pairs = append(pairs, kv)
			}
		}
	}
	c.W.MapLen(len(pairs))
	for _, kv := range pairs {
		c.W.BulkString(kv[0])
		c.W.BulkString(kv[1])
	}
}

// configSetCommand applies CONFIG SET name value [name value ...]
// atomically through the config package, which also runs the apply hooks.
func configSetCommand(c *Ctx) {
	if len(c.Argv)%2 != 0 {
		c.Error(ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.Argv)-2)/2)
	for i := 2; i+1 < len(c.Argv); i += 2 {
		pairs = append(pairs, [2]string{string(c.Argv[i]), string(c.Argv[i+1])})
	}
	if err := c.Node.Config.Set(pairs); err != nil {
		c.Error(clientError(err))
		return
	}
	c.W.OK()
}

func configRewriteCommand(c *Ctx) {
	if err := c.Node.Config.Rewrite(); err != nil {
		c.Error(clientError(err))
		return
	}
	c.W.OK()
}

// clientError turns an error from the config package, whose text is meant
// for clients, into an error reply, adding the generic ERR code when the
// text does not start with one.
func clientError(err error) string {
	msg := err.Error()
	code, _, _ := strings.Cut(msg, " ")
	if code != "" && strings.ToUpper(code) == code && strings.IndexFunc(code, func(r rune) bool {
		return r < 'A' || r > 'Z'
	}) < 0 {
		return msg
	}
	return "ERR " + msg
}

// ResetStats clears the statistics CONFIG RESETSTAT resets: the counters
// of INFO stats, the keyspace hit/miss/expiry/eviction counters, every
// command's statistics and the error statistics.
func (n *Node) ResetStats() {
	st := &n.Stats
	for _, c := range []interface{ Store(int64) }{&st.Connections, &st.Commands, &st.RejectedConns,
		&st.NetInput, &st.NetOutput, &st.ErrorReplies, &st.UnexpectedErrors, &st.RejectedCalls,
		&st.FailedCalls, &st.PubSubMessages, &st.IOReadsProcessed, &st.IOWritesProcessed} {
		c.Store(0)
	}
	ks := n.KS.Stats()
	for _, c := range []interface{ Store(int64) }{&ks.ExpiredKeys, &ks.ExpiredFields, &ks.ExpiredTimeCapReached,
		&ks.ExpireCycleCPUMicros, &ks.EvictedKeys, &ks.EvictionMicros, &ks.Hits, &ks.Misses} {
		c.Store(0)
	}
	ks.ExpiredStalePerc.Store(0)
	ks.ExpiredFieldsStale.Store(0)
	var reset func(cmds []*Command)
	reset = func(cmds []*Command) {
		for _, cmd := range cmds {
			st := cmd.Stats()
			st.Calls.Store(0)
			st.Micros.Store(0)
			st.RejectedCall.Store(0)
			st.FailedCalls.Store(0)
			reset(sortedSubcommands(cmd))
		}
	}
	reset(n.Table.All())
	n.ResetErrorCounts()
	a := &n.admin
	a.samplerMu.Lock()
	a.metrics = [numInstMetrics]instMetric{}
	a.lastSample = time.Time{} // the next sample re-establishes the baseline
	a.samplerMu.Unlock()
}
