package server

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeNodesConf replaces nodes.conf atomically: the content goes to a
// temporary file in the same directory, is fsynced, and is renamed over
// the old file, so a crash leaves either the old or the new configuration,
// never a torn one (Valkey's clusterSaveConfig). With syncDir the rename
// itself is made durable too (CLUSTER_TODO_FSYNC_CONFIG).
func writeNodesConf(path string, data []byte, syncDir bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cluster config save: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("cluster config save: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cluster config save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cluster config save: %w", err)
	}
	if !syncDir {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cluster config save: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cluster config save: fsync %s: %w", dir, err)
	}
	return nil
}
