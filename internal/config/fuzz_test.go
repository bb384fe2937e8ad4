package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary text to the file parser. It must never panic;
// it either fails with a *FileError or loads, and a loaded configuration
// survives CONFIG REWRITE: reading the rewritten file gives the same
// CONFIG GET * values.
func FuzzLoad(f *testing.F) {
	for _, tt := range loadErrorCases {
		f.Add(tt.text)
	}
	for _, s := range []string{
		"port 7000\nsave 900 1\nsave 300 10\nbind 127.0.0.1 -::1\n",
		"client-output-buffer-limit normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
		"requirepass \"a\\x00b\\n\"\nnotify-keyspace-events KEAn\nmaxmemory 1gb\nmaxmemory-clients 10%",
		"slave-read-only no\nmasterauth 'x y'\nreplicaof 'h\"x' 6379\nbind 'a\"b' c",
		"latency-tracking-info-percentiles 1e1 0.5\nshutdown-on-sigint now save\nunixsocketperm 0755",
		"# c\n\n\t\r\nhz 0\nrepl-backlog-size 1\nsave\nbind",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		// Includes would read arbitrary files (and /dev/zero never ends);
		// dir would point at arbitrary directories.
		low := strings.ToLower(text)
		if strings.Contains(low, "include") || strings.Contains(low, "dir") {
			return
		}
		c := New()
		if err := c.LoadString("fuzz.conf", text); err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			return
		}
		before := c.Match("*")
		path := filepath.Join(t.TempDir(), "f.conf")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		c.file = path
		c.mu.Unlock()
		if err := c.Rewrite(); err != nil {
			t.Fatalf("rewrite: %v", err)
		}
		c2 := New()
		if err := c2.LoadFile(path); err != nil {
			data, _ := os.ReadFile(path)
			t.Fatalf("reload of rewritten file failed: %v\n%s", err, data)
		}
		if after := c2.Match("*"); !reflect.DeepEqual(before, after) {
			for i := range before {
				if before[i] != after[i] {
					t.Errorf("%s: %q before rewrite, %q after", before[i][0], before[i][1], after[i][1])
				}
			}
		}
	})
}
