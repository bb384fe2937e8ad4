package command

import (
	"strconv"
	"strings"
)

func infoCommand() *Command {
	return &Command{Name: "info", Arity: -1, Flags: FlagLoading | FlagStale,
		ACL:   []string{"slow", "dangerous"},
		Tips:  []string{"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
		Group: "server", Since: "1.0.0", Complexity: "O(1)",
		Summary: "Returns information and statistics about the server.",
		Handler: func(c *Ctx) {
			sel := parseInfoSections(c.Argv[1:])
			c.W.Verbatim("txt", string(c.Node.genInfo(sel, c)))
		}}
}

// infoSelection is what an INFO call asked for.
type infoSelection struct {
	names map[string]bool
	all   bool // "all" or "everything"
}

func (s infoSelection) has(name string) bool { return s.all || s.names[name] }

// infoDefaultSections are the sections INFO without arguments (or with
// "default") returns, as Valkey's genInfoSectionDict.
var infoDefaultSections = []string{"server", "clients", "memory", "persistence", "stats",
	"replication", "cpu", "module_list", "errorstats", "cluster", "keyspace"}

func parseInfoSections(args [][]byte) infoSelection {
	sel := infoSelection{names: make(map[string]bool)}
	if len(args) == 0 {
		for _, s := range infoDefaultSections {
			sel.names[s] = true
		}
		return sel
	}
	for _, a := range args {
		name := strings.ToLower(string(a))
		switch name {
		case "default":
			for _, s := range infoDefaultSections {
				sel.names[s] = true
			}
		case "all", "everything":
			sel.all = true
		default:
			sel.names[name] = true
		}
	}
	return sel
}

// infoSection is one "# Title" block of INFO.
type infoSection struct {
	name, title string
	gen         func(n *Node, b *infoBuf, c *Ctx)
	selected    func(s infoSelection) bool
}

// infoSections lists the sections in Valkey's output order.
var infoSections = []infoSection{
	{name: "server", title: "Server", gen: (*Node).infoServer},
	{name: "clients", title: "Clients", gen: (*Node).infoClients},
	{name: "memory", title: "Memory", gen: (*Node).infoMemory},
	{name: "persistence", title: "Persistence", gen: (*Node).infoPersistence},
	{name: "stats", title: "Stats", gen: (*Node).infoStats},
	{name: "replication", title: "Replication", gen: (*Node).infoReplication},
	{name: "cpu", title: "CPU", gen: (*Node).infoCPU},
	{name: "modules", title: "Modules", gen: func(*Node, *infoBuf, *Ctx) {},
		selected: func(s infoSelection) bool { return s.has("modules") || s.has("module_list") }},
	{name: "commandstats", title: "Commandstats", gen: (*Node).infoCommandStats},
	{name: "errorstats", title: "Errorstats", gen: (*Node).infoErrorStats},
	// Shoal does not keep per-command latency histograms: the section is
	// present but empty, as in Valkey with latency-tracking disabled.
	{name: "latencystats", title: "Latencystats", gen: func(*Node, *infoBuf, *Ctx) {}},
	{name: "cluster", title: "Cluster", gen: (*Node).infoCluster},
	// Shoal's own section, only when asked for by name (INFO
	// slotmigrations): live progress of atomic slot migrations. "all"
	// keeps Valkey's list, which tools compare against.
	{name: "slotmigrations", title: "Slotmigrations", gen: (*Node).infoSlotMigrations,
		selected: func(s infoSelection) bool { return s.names["slotmigrations"] }},
	{name: "keyspace", title: "Keyspace", gen: (*Node).infoKeyspace},
}

// genInfo renders the selected sections.
func (n *Node) genInfo(sel infoSelection, c *Ctx) []byte {
	n.admin.init()
	b := &infoBuf{buf: make([]byte, 0, 4096)}
	for _, s := range infoSections {
		ok := sel.has(s.name)
		if s.selected != nil {
			ok = s.selected(sel)
		}
		if !ok {
			continue
		}
		if len(b.buf) > 0 {
			b.buf = append(b.buf, '\r', '\n')
		}
		b.buf = append(b.buf, "# "+s.title+"\r\n"...)
		s.gen(n, b, c)
	}
	return b.buf
}

// infoBuf accumulates "field:value\r\n" lines.
type infoBuf struct{ buf []byte }

func (b *infoBuf) str(field, value string) {
	b.buf = append(b.buf, field...)
	b.buf = append(b.buf, ':')
	b.buf = append(b.buf, value...)
	b.buf = append(b.buf, '\r', '\n')
}

func (b *infoBuf) int(field string, v int64) {
	b.buf = append(b.buf, field...)
	b.buf = append(b.buf, ':')
	b.buf = strconv.AppendInt(b.buf, v, 10)
	b.buf = append(b.buf, '\r', '\n')
}

// float2 writes v with two decimals (printf "%.2f").
func (b *infoBuf) float2(field string, v float64) {
	b.buf = append(b.buf, field...)
	b.buf = append(b.buf, ':')
	b.buf = strconv.AppendFloat(b.buf, v, 'f', 2, 64)
	b.buf = append(b.buf, '\r', '\n')
}

// bytes writes field and field_human.
func (b *infoBuf) bytes(field string, v int64) {
	b.int(field, v)
	b.str(field+"_human", bytesToHuman(v))
}

func boolInt(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// bytesToHuman formats n as Valkey's bytesToHuman: 100B, 1.50K, 2.00M...
func bytesToHuman(n int64) string {
	if n < 0 {
		n = 0
	}
	const k = 1024
	units := []struct {
		limit float64
		unit  string
	}{{k * k, "K"}, {k * k * k, "M"}, {k * k * k * k, "G"}, {k * k * k * k * k, "T"}, {k * k * k * k * k * k, "P"}}
	if n < k {
		return strconv.FormatInt(n, 10) + "B"
	}
	f := float64(n)
	div := float64(k)
	for _, u := range units {
		if f < u.limit {
			return strconv.FormatFloat(f/div, 'f', 2, 64) + u.unit
		}
		div *= k
	}
	return strconv.FormatInt(n, 10) + "B"
}

// infoSafe replaces the characters that would break INFO's line format,
// as Valkey's getSafeInfoString.
func infoSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '#', ':', '\n', '\r':
			return '_'
		}
		return r
	}, s)
}
