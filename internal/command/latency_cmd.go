package command

import (
	"fmt"
	"sort"
	"strings"
)

func latencyCommand() *Command {
	flags := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	acl := []string{"admin", "slow", "dangerous"}
	special := []string{"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}
	return container("latency", "server", "2.8.13", "A container for latency diagnostics commands.",
		&Command{Name: "latest", Arity: 2, Flags: flags, ACL: acl, Since: "2.8.13", Tips: special,
			Complexity: "O(1)", Summary: "Returns the latest latency samples for all events.",
			Handler: latencyLatestCommand},
		&Command{Name: "history", Arity: 3, Flags: flags, ACL: acl, Since: "2.8.13", Tips: special,
			Complexity: "O(1)", Summary: "Returns timestamp-latency samples for an event.",
			Handler: latencyHistoryCommand},
		&Command{Name: "reset", Arity: -2, Flags: flags, ACL: acl, Since: "2.8.13",
			Tips:       []string{"request_policy:all_nodes", "response_policy:agg_sum"},
			Complexity: "O(1)", Summary: "Resets the latency data for one or more events.",
			Handler: func(c *Ctx) {
				names := make([]string, 0, len(c.Argv)-2)
				for _, a := range c.Argv[2:] {
					names = append(names, string(a))
				}
				c.W.Int(int64(c.Node.Latency.Reset(names...)))
			}},
		&Command{Name: "doctor", Arity: 2, Flags: flags, ACL: acl, Since: "2.8.13", Tips: special,
			Complexity: "O(1)", Summary: "Returns a human-readable latency analysis report.",
			Handler: func(c *Ctx) { c.W.Verbatim("txt", c.Node.latencyReport()) }},
		helpCommand("latency", []string{
			"DOCTOR",
			"    Return a human readable latency analysis report.",
			"HISTORY <event>",
			"    Return time-latency samples for the <event> class.",
			"LATEST",
			"    Return the latest latency samples for all events.",
			"RESET [<event> ...]",
			"    Reset latency data of one or more <event> classes.",
			"    (default: reset all data for all event classes)",
		}),
	)
}

func sortedLatencyEvents(l *LatencyMonitor) []LatencyEvent {
	evs := l.Events()
	sort.Slice(evs, func(i, j int) bool { return evs[i].Name < evs[j].Name })
	return evs
}

// latencyLatestCommand replies, per event, [name, time of the latest
// sample, latest ms, all-time max ms, sum of the samples, sample count]
// (the last two since Valkey 8.1).
func latencyLatestCommand(c *Ctx) {
	evs := sortedLatencyEvents(c.Node.Latency)
	c.W.ArrayLen(len(evs))
	for _, e := range evs {
		var last LatencySample
		var sum int64
		for _, s := range e.Samples {
			sum += s.Millis
		}
		if len(e.Samples) > 0 {
			last = e.Samples[len(e.Samples)-1]
		}
		c.W.ArrayLen(6)
		c.W.BulkString(e.Name)
		c.W.Int(last.Time)
		c.W.Int(last.Millis)
		c.W.Int(e.Max)
		c.W.Int(sum)
		c.W.Int(int64(len(e.Samples)))
	}
}

func latencyHistoryCommand(c *Ctx) {
	name := string(c.Argv[2])
	for _, e := range c.Node.Latency.Events() {
		if e.Name != name {
			continue
		}
		c.W.ArrayLen(len(e.Samples))
		for _, s := range e.Samples {
			c.W.ArrayLen(2)
			c.W.Int(s.Time)
			c.W.Int(s.Millis)
		}
		return
	}
	c.W.ArrayLen(0)
}

// latencyReport is LATENCY DOCTOR's text: a summary per event class.
func (n *Node) latencyReport() string {
	evs := sortedLatencyEvents(n.Latency)
	if len(evs) == 0 {
		if n.latencyThreshold.Load() == 0 {
			return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Valkey instance. " +
				"You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. " +
				"If we weren't in a deep space mission I'd suggest to take a look at https://valkey.io/topics/latency-monitor.\n"
		}
		return "Dave, no latency spike was observed during the lifetime of this Valkey instance, " +
			"not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, " +
			"and think things over.\n"
	}
	var b strings.Builder
	b.WriteString("Dave, I have observed latency spikes in this Valkey instance. " +
		"You don't mind talking about it, do you Dave?\n\n")
	for i, e := range evs {
		var sum int64
		for _, s := range e.Samples {
			sum += s.Millis
		}
		avg := int64(0)
		if len(e.Samples) > 0 {
			avg = sum / int64(len(e.Samples))
		}
		fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms). Worst all time event %dms.\n",
			i+1, e.Name, len(e.Samples), avg, e.Max)
	}
	b.WriteString("\nI have a few advices for you:\n\n" +
		"- Check your Slow Log to understand what are the commands you are running which are too slow " +
		"to execute. Please check https://valkey.io/commands/slowlog for more information.\n")
	return b.String()
}
