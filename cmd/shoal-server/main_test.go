package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A bad directive stops start-up with exit status 1 instead of serving
// with a half-applied configuration.
func TestRunRejectsBadConfig(t *testing.T) {
	if code := run([]string{"--no-such-directive", "1"}); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	path := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(path, []byte("port 7000\nmaxmemory lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{path}); code != 1 {
		t.Fatalf("exit code %d for a bad file, want 1", code)
	}
}
