package command_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/shoal-db/shoal/internal/command"
)

// allCommands lists the node's commands and subcommands.
func allCommands(tbl *command.Table) []*command.Command {
	var out []*command.Command
	for _, c := range tbl.All() {
		out = append(out, c)
		for _, s := range c.Subcommands {
			out = append(out, s)
		}
	}
	return out
}

// TestCommandInfoParsesWithGoRedis runs COMMAND (which go-redis cluster
// clients call on connect) and COMMAND INFO for every command and
// subcommand through go-redis's parser, under RESP2 and RESP3.
func TestCommandInfoParsesWithGoRedis(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	tbl := srv.Node().Table
	for _, proto := range []int{2, 3} {
		rdb := newClient(t, srv, proto)
		infos, err := rdb.Command(ctx).Result()
		if err != nil {
			t.Fatalf("RESP%d COMMAND: %v", proto, err)
		}
		if len(infos) != tbl.Len() {
			t.Errorf("RESP%d COMMAND: %d entries, table has %d", proto, len(infos), tbl.Len())
		}
		for _, c := range tbl.All() {
			info := infos[c.Name]
			if info == nil {
				t.Errorf("RESP%d COMMAND lacks %s", proto, c.Name)
				continue
			}
			first, last, step := c.FirstKey, c.LastKey, c.Step
			if first == 0 {
				last, step = 0, 0
			}
			if int(info.Arity) != c.Arity || int(info.FirstKeyPos) != first ||
				int(info.LastKeyPos) != last || int(info.StepCount) != step {
				t.Errorf("RESP%d %s: arity/keys %d %d %d %d, table %d %d %d %d", proto, c.Name, info.Arity,
					info.FirstKeyPos, info.LastKeyPos, info.StepCount, c.Arity, first, last, step)
			}
			if info.ReadOnly != (c.Flags&command.FlagReadonly != 0) {
				t.Errorf("RESP%d %s: readonly = %v", proto, c.Name, info.ReadOnly)
			}
			if len(info.ACLFlags) == 0 || !strings.HasPrefix(info.ACLFlags[0], "@") {
				t.Errorf("RESP%d %s: ACL categories %q", proto, c.Name, info.ACLFlags)
			}
		}
		for _, c := range allCommands(tbl) {
			cmd := redis.NewCommandsInfoCmd(ctx, "command", "info", c.Name)
			if err := rdb.Process(ctx, cmd); err != nil {
				t.Errorf("RESP%d COMMAND INFO %s: %v", proto, c.Name, err)
				continue
			}
			if cmd.Val()[c.Name] == nil {
				t.Errorf("RESP%d COMMAND INFO %s: entry missing: %v", proto, c.Name, cmd.Val())
			}
		}
	}
}

func TestCommandSubcommands(t *testing.T) {
	srv := startAdmin(t)
	ctx := context.Background()
	rdb := newClient(t, srv, 3)
	tbl := srv.Node().Table
	if n, _ := rdb.Do(ctx, "command", "count").Int(); n != tbl.Len() {
		t.Errorf("COMMAND COUNT = %d, want %d", n, tbl.Len())
	}
	names, err := rdb.CommandList(ctx, nil).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range allCommands(tbl) {
		if !slices.Contains(names, c.Name) {
			t.Errorf("COMMAND LIST lacks %s", c.Name)
		}
	}
	if len(names) != len(allCommands(tbl)) {
		t.Errorf("COMMAND LIST: %d names, want %d", len(names), len(allCommands(tbl)))
	}
	conf, _ := rdb.CommandList(ctx, &redis.FilterBy{Pattern: "config*"}).Result()
	slices.Sort(conf)
	if want := []string{"config", "config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"}; !slices.Equal(conf, want) {
		t.Errorf("COMMAND LIST FILTERBY PATTERN config* = %v", conf)
	}
	adminCmds, _ := rdb.CommandList(ctx, &redis.FilterBy{ACLCat: "admin"}).Result()
	if !slices.Contains(adminCmds, "config|set") || slices.Contains(adminCmds, "get") {
		t.Errorf("COMMAND LIST FILTERBY ACLCAT admin = %v", adminCmds)
	}
	if mods, _ := rdb.CommandList(ctx, &redis.FilterBy{Module: "x"}).Result(); len(mods) != 0 {
		t.Errorf("COMMAND LIST FILTERBY MODULE = %v", mods)
	}
	wantErr(t, rdb, "ERR syntax error", "command", "list", "filterby", "foo", "x")
	wantErr(t, rdb, "ERR syntax error", "command", "list", "x")

	// COMMAND INFO: unknown names are null, subcommands use the | syntax.
	v := do(t, rdb, "command", "info", "get", "nosuch", "CONFIG|GET").([]any)
	if len(v) != 3 || v[1] != nil {
		t.Fatalf("COMMAND INFO get nosuch config|get = %v", v)
	}
	if entry := v[2].([]any); entry[0] != "config|get" || entry[1] != int64(-3) {
		t.Errorf("COMMAND INFO config|get = %v", entry)
	}
	cfg := do(t, rdb, "command", "info", "config").([]any)[0].([]any)
	if subs := cfg[9].([]any); len(subs) != 5 {
		t.Errorf("COMMAND INFO config has %d subcommands, want 5", len(subs))
	}

	// COMMAND DOCS is a map name -> map.
	docs := do(t, rdb, "command", "docs", "set", "config", "nosuch").(map[any]any)
	if len(docs) != 2 {
		t.Fatalf("COMMAND DOCS: %v", docs)
	}
	set := docs["set"].(map[any]any)
	if set["group"] != "string" || set["since"] != "1.0.0" || set["summary"] == "" {
		t.Errorf("COMMAND DOCS set = %v", set)
	}
	if subs := docs["config"].(map[any]any)["subcommands"].(map[any]any); subs["config|get"] == nil {
		t.Errorf("COMMAND DOCS config subcommands = %v", subs)
	}
	if all := do(t, rdb, "command", "docs").(map[any]any); len(all) != tbl.Len() {
		t.Errorf("COMMAND DOCS: %d entries, want %d", len(all), tbl.Len())
	}

	// GETKEYS / GETKEYSANDFLAGS.
	keys, err := rdb.CommandGetKeys(ctx, "set", "k1", "v").Result()
	if err != nil || !slices.Equal(keys, []string{"k1"}) {
		t.Errorf("COMMAND GETKEYS set k1 v = %v, %v", keys, err)
	}
	kf, err := rdb.CommandGetKeysAndFlags(ctx, "get", "k2").Result()
	if err != nil || len(kf) != 1 || kf[0].Key != "k2" || !slices.Contains(kf[0].Flags, "RO") {
		t.Errorf("COMMAND GETKEYSANDFLAGS get k2 = %+v, %v", kf, err)
	}
	if keys, _ := rdb.CommandGetKeys(ctx, "memory", "usage", "k3").Result(); !slices.Equal(keys, []string{"k3"}) {
		t.Errorf("COMMAND GETKEYS memory usage k3 = %v", keys)
	}
	wantErr(t, rdb, "ERR Invalid command specified", "command", "getkeys", "nosuch", "a")
	wantErr(t, rdb, "ERR Invalid command specified", "command", "getkeys", "config", "nosuch")
	wantErr(t, rdb, "ERR The command has no key arguments", "command", "getkeys", "ping", "x")
	wantErr(t, rdb, "ERR Invalid number of arguments specified for command", "command", "getkeys", "get", "a", "b")
	help, err := rdb.Do(ctx, "command", "help").StringSlice()
	if err != nil || !strings.HasPrefix(help[0], "COMMAND <subcommand>") {
		t.Errorf("COMMAND HELP = %q, %v", help, err)
	}
}
