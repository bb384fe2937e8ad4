package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nodes.conf always holds the latest configuration, whether it grows or
// shrinks, with or without fsync, and after it was removed; the only
// other file left is the spare (a previous configuration).
func TestWriteNodesConf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodes.conf")
	for i, content := range []string{"first\n", strings.Repeat("longer line\n", 50), "short\n", "", "again\n"} {
		if err := writeNodesConf(path, []byte(content), i%2 == 0); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("save %d: nodes.conf = %q, %v; want %q", i, got, err, content)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
			t.Fatalf("save %d: mode %v, %v", i, st.Mode(), err)
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := writeNodesConf(path, []byte("restored\n"), true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "restored\n" {
		t.Fatalf("after removal: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "nodes.conf" && e.Name() != "nodes.conf.tmp" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// The temporary-file path (no exchange available) gives the same.
	if err := writeNodesConfTemp(path, []byte("fallback\n"), true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "fallback\n" {
		t.Fatalf("fallback: %q", got)
	}
}

// A synced save that fits overwrites nodes.conf in place; one that does
// not goes through the spare. Either way the file holds exactly the new
// configuration.
func TestWriteNodesConfSynced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodes.conf")
	long := strings.Repeat("a line of the configuration\n", 20)
	for i, content := range []string{long, "shorter\n", long + "grown\n", "x\n"} {
		if err := writeNodesConf(path, []byte(content), true); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Fatalf("save %d: nodes.conf = %q, %v; want %q", i, got, err, content)
		}
	}
}
