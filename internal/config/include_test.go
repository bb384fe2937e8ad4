package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIncludeNested(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.conf"), "port 1000\ninclude "+filepath.Join(dir, "a.conf")+"\nhz 20\n")
	writeFile(t, filepath.Join(dir, "a.conf"), "port 2000\nmaxmemory 1mb\ninclude "+filepath.Join(dir, "sub", "b.conf")+"\n")
	writeFile(t, filepath.Join(dir, "sub", "b.conf"), "hz 30\nmaxmemory 2mb\n")
	c := New()
	if err := c.LoadFile(filepath.Join(dir, "main.conf")); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"port": "2000", "maxmemory": "2097152", "hz": "20"} {
		if got := c.get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if c.File() != filepath.Join(dir, "main.conf") {
		t.Errorf("File() = %q", c.File())
	}
}

// TestIncludeRelative checks that relative includes resolve against the
// dir setting, where Valkey (which chdir()s on dir) would find them.
func TestIncludeRelative(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "conf.d", "x.conf"), "port 3000\n")
	writeFile(t, filepath.Join(dir, "main.conf"), "dir "+dir+"\ninclude conf.d/x.conf\n")
	c := New()
	if err := c.LoadFile(filepath.Join(dir, "main.conf")); err != nil {
		t.Fatal(err)
	}
	if got := c.get("port"); got != "3000" {
		t.Errorf("port = %q", got)
	}
}

func TestIncludeGlob(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "conf.d", "10-a.conf"), "port 1\nhz 11\n")
	writeFile(t, filepath.Join(dir, "conf.d", "20-b.conf"), "port 2\n")
	writeFile(t, filepath.Join(dir, "main.conf"), "include "+filepath.Join(dir, "conf.d", "*.conf")+"\ninclude "+filepath.Join(dir, "empty.d", "*.conf")+"\n")
	c := New()
	if err := c.LoadFile(filepath.Join(dir, "main.conf")); err != nil {
		t.Fatal(err)
	}
	if c.get("port") != "2" || c.get("hz") != "11" {
		t.Errorf("port %q hz %q", c.get("port"), c.get("hz"))
	}
}

func TestIncludeErrorReportsIncludedFile(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "inc.conf")
	writeFile(t, filepath.Join(dir, "main.conf"), "port 1\ninclude "+inc+"\n")
	writeFile(t, inc, "# first\nhz 10\nbogus-directive 1\n")
	err := New().LoadFile(filepath.Join(dir, "main.conf"))
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
	if fe.File != inc || fe.Line != 3 || fe.Text != "bogus-directive 1" || fe.Reason != "Bad directive or wrong number of arguments" {
		t.Fatalf("got %+v", fe)
	}
	if !strings.Contains(err.Error(), "at line 3 of '"+inc+"'") {
		t.Errorf("error text %q does not name the included file", err)
	}
}

func TestIncludeMissing(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main.conf")
	writeFile(t, main, "port 1\n\ninclude nope.conf\n")
	err := New().LoadFile(main)
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != main || fe.Line != 3 ||
		fe.Reason != "Fatal error, can't open config file 'nope.conf': No such file or directory" {
		t.Fatalf("got %#v", err)
	}
}

func TestIncludeLoop(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.conf"), filepath.Join(dir, "b.conf")
	writeFile(t, a, "port 1\ninclude "+b+"\n")
	writeFile(t, b, "hz 12\ninclude "+a+"\n")
	err := New().LoadFile(a)
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
	want := "include loop: " + a + " -> " + b + " -> " + a
	if fe.File != b || fe.Line != 2 || fe.Reason != want {
		t.Fatalf("got %+v, want reason %q", fe, want)
	}
}

func TestIncludeSelf(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.conf")
	writeFile(t, a, "include "+a+"\n")
	err := New().LoadFile(a)
	if err == nil || !strings.Contains(err.Error(), "include loop") {
		t.Fatalf("got %v", err)
	}
}

// TestIncludeSameFileTwice is not a loop: a file may be included twice in
// sequence.
func TestIncludeSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.conf"), filepath.Join(dir, "b.conf")
	writeFile(t, a, "include "+b+"\ninclude "+b+"\n")
	writeFile(t, b, "save 10 1\n")
	c := New()
	if err := c.LoadFile(a); err != nil {
		t.Fatal(err)
	}
	if got := c.get("save"); got != "10 1 10 1" {
		t.Errorf("save = %q", got)
	}
}

func TestLoadFileMissing(t *testing.T) {
	err := New().LoadFile("/nonexistent/shoal.conf")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 0 {
		t.Fatalf("got %#v", err)
	}
	want := "*** FATAL CONFIG FILE ERROR (Version 9.0.0) ***\nFatal error, can't open config file '/nonexistent/shoal.conf': No such file or directory"
	if err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
}

func TestIncludeDepthLimit(t *testing.T) {
	dir := t.TempDir()
	name := func(i int) string { return filepath.Join(dir, "f"+strconv.Itoa(i)+".conf") }
	for i := 0; i <= maxIncludeDepth; i++ {
		writeFile(t, name(i), "include "+name(i+1)+"\n")
	}
	writeFile(t, name(maxIncludeDepth+1), "port 1\n")
	err := New().LoadFile(name(0))
	var fe *FileError
	if !errors.As(err, &fe) || !strings.HasPrefix(fe.Reason, "too many nested includes") {
		t.Fatalf("got %v", err)
	}
}
