package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestArgsToOptions(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--port", "7000"}, `port "7000" `},
		{[]string{"--port", "7000", "--hz", "20"}, "port \"7000\" \nhz \"20\" "},
		{[]string{"--save", "3600", "1", "300", "100"}, `save "3600" "1" "300" "100" `},
		{[]string{"--save", ""}, `save "" `},
		{[]string{"--save", "--port", "1"}, "save \"\"\nport \"1\" "},
		{[]string{"--port", "1", "--save"}, "port \"1\" \nsave \"\""},
		{[]string{"--requirepass", "--weird"}, `requirepass "--weird" `},
		{[]string{"--port 7000"}, "port 7000 "},
		{[]string{"--bind", "127.0.0.1", "-::1"}, `bind "127.0.0.1" "-::1" `},
		{[]string{"--requirepass", "a b\"c"}, `requirepass "a b\"c" `},
		{[]string{"--port"}, "port "},
	}
	for _, tt := range tests {
		if got := argsToOptions(tt.args); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		want map[string]string
	}{
		{[]string{"--port", "7000", "--cluster-enabled", "yes"}, map[string]string{"port": "7000", "cluster-enabled": "yes"}},
		{[]string{"--save", ""}, map[string]string{"save": ""}},
		{[]string{"--save", "3600", "1", "300", "100"}, map[string]string{"save": "3600 1 300 100"}},
		{[]string{"--save", "3600 1 300 100"}, map[string]string{"save": "3600 1 300 100"}},
		{[]string{"--save", "--port", "7"}, map[string]string{"save": "", "port": "7"}},
		{[]string{"--save", "900", "1", "--save", "300", "10"}, map[string]string{"save": "900 1 300 10"}},
		{[]string{"--client-output-buffer-limit", "normal", "0", "0", "0", "replica", "256mb", "64mb", "60", "pubsub", "32mb", "8mb", "60"},
			map[string]string{"client-output-buffer-limit": obufDefault}},
		{[]string{"--bind", "127.0.0.1", "-::1"}, map[string]string{"bind": "127.0.0.1 -::1"}},
		{[]string{"--requirepass", "--x"}, map[string]string{"requirepass": "--x"}},
		{[]string{"--maxmemory", "1gb", "--maxmemory-policy", "allkeys-lru"}, map[string]string{"maxmemory": "1073741824", "maxmemory-policy": "allkeys-lru"}},
		{[]string{"--port 7001"}, map[string]string{"port": "7001"}},
		{[]string{"--notify-keyspace-events", "KEA"}, map[string]string{"notify-keyspace-events": "AKE"}},
		{[]string{"--logfile", ""}, map[string]string{"logfile": ""}},
	}
	for _, tt := range tests {
		c, err := Parse(tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		for k, want := range tt.want {
			if got := c.get(k); got != want {
				t.Errorf("%q: %s = %q, want %q", tt.args, k, got, want)
			}
		}
		if c.File() != "" {
			t.Errorf("%q: File() = %q", tt.args, c.File())
		}
	}
}

func TestParseArgErrors(t *testing.T) {
	tests := []struct {
		args   []string
		line   int
		text   string
		reason string
	}{
		{[]string{"--port"}, 1, "port", "wrong number of arguments"},
		{[]string{"--port", "abc"}, 1, `port "abc"`, "argument couldn't be parsed into an integer"},
		{[]string{"--hz", "5", "--foo", "bar"}, 2, `foo "bar"`, "Bad directive or wrong number of arguments"},
		{[]string{"--port", "1", "2"}, 1, `port "1" "2"`, "wrong number of arguments"},
		{[]string{"stray"}, 0, "", ""}, // a config file that does not exist
		{[]string{"--daemonize", "yes"}, 1, `daemonize "yes"`, reasonDaemonize},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%q: got %v", tt.args, err)
			continue
		}
		if tt.line == 0 {
			continue
		}
		if fe.Line != tt.line || fe.Text != tt.text || fe.Reason != tt.reason || fe.File != "" {
			t.Errorf("%q: got %+v", tt.args, fe)
		}
		if !strings.Contains(err.Error(), "of the command line options") {
			t.Errorf("%q: %q does not say the command line", tt.args, err)
		}
	}
}

func TestParseFileThenFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	writeFile(t, path, "port 1000\nhz 20\nsave 900 1\n")
	c, err := Parse([]string{path, "--port", "2000", "--save", "60", "5"})
	if err != nil {
		t.Fatal(err)
	}
	if c.get("port") != "2000" || c.get("hz") != "20" {
		t.Errorf("port %q hz %q", c.get("port"), c.get("hz"))
	}
	// As in Valkey, save lines accumulate across the file and the flags.
	if c.get("save") != "900 1 60 5" {
		t.Errorf("save %q", c.get("save"))
	}
	if c.File() != path {
		t.Errorf("File() = %q", c.File())
	}
}

func TestParseRelativeFileIsAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "r.conf"), "port 5\n")
	t.Chdir(dir)
	c, err := Parse([]string{"r.conf"})
	if err != nil {
		t.Fatal(err)
	}
	if c.File() != filepath.Join(dir, "r.conf") {
		t.Errorf("File() = %q", c.File())
	}
}

func TestParseClusterReplicaofAcrossFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.conf")
	writeFile(t, path, "cluster-enabled yes\n")
	if _, err := Parse([]string{path, "--replicaof", "1.2.3.4", "6379"}); err == nil {
		t.Fatal("cluster-enabled with replicaof accepted")
	}
}
