package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writeNodesConf replaces nodes.conf so that a crash of the process
// leaves either the old or the new configuration, never a torn one
// (Valkey's clusterSaveConfig). With fsync the new configuration is
// durable when the function returns (CLUSTER_TODO_FSYNC_CONFIG); without
// it the kernel writes it back when it pleases, as in Valkey.
//
// nodes.conf is rewritten on every CLUSTER SETSLOT of a migration, on
// each node, before the reply: creating a new file per save (and freeing
// the old one on rename) cost a journal transaction each, several times
// what the rest of the command costs. So:
//   - a save without fsync writes the content over a spare file kept next
//     to nodes.conf (nodes.conf.tmp, holding a previous configuration) and
//     exchanges the two names atomically (renameat2 RENAME_EXCHANGE);
//   - a save with fsync that fits in the current file overwrites it in
//     place with one write (padded with newlines, which the loader skips,
//     then truncated), as redis-server 7.0 does: an fsync of data alone is
//     the cheapest durable write, and no block is allocated, so a full disk
//     cannot tear it;
//   - otherwise, or where the exchange is not available, the content goes
//     to a fresh temporary file renamed over nodes.conf.
func writeNodesConf(path string, data []byte, fsync bool) error {
	var err error
	done := false
	if fsync {
		done, err = writeNodesConfInPlace(path, data)
	}
	if !done && err == nil {
		err = writeNodesConfSpare(path, data, fsync)
		if errors.Is(err, errNoExchange) {
			err = writeNodesConfTemp(path, data, fsync)
		}
	}
	if err != nil {
		return fmt.Errorf("cluster config save: %w", err)
	}
	return nil
}

// writeNodesConfInPlace overwrites nodes.conf and syncs it, when the new
// content is no longer than the file. It reports false, without touching
// the file, when it is longer or the file does not exist.
func writeNodesConfInPlace(path string, data []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < int64(len(data)) {
		return false, err
	}
	buf := data
	if st.Size() > int64(len(data)) {
		buf = make([]byte, st.Size())
		copy(buf, data)
		for i := len(data); i < len(buf); i++ {
			buf[i] = '\n'
		}
	}
	if _, err := f.WriteAt(buf, 0); err != nil {
		return true, err
	}
	if err := f.Sync(); err != nil {
		return true, err
	}
	if len(buf) > len(data) {
		// Only cosmetic: the padding is blank lines.
		_ = f.Truncate(int64(len(data)))
	}
	return true, nil
}

// errNoExchange says that the file system or the platform cannot
// exchange two names atomically.
var errNoExchange = errors.New("rename exchange not supported")

// writeNodesConfSpare writes data over the spare file and exchanges it
// with nodes.conf. With fsync, the file is synced after the exchange,
// through the descriptor still open on it: on Linux's journaling file
// systems (ext4, XFS, btrfs) that commits the journal transaction holding
// the exchange as well, and the data before it, so the new configuration
// is durable without a second sync of the directory. A crash before that
// leaves the old names, hence the old configuration, intact.
func writeNodesConfSpare(path string, data []byte, fsync bool) error {
	spare := path + ".tmp"
	f, err := os.OpenFile(spare, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	// Overwriting in place reuses the spare's blocks; only a longer
	// configuration allocates.
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		return err
	}
	switch err := renameExchange(spare, path); {
	case errors.Is(err, fs.ErrNotExist):
		// The first save, or nodes.conf was removed: a plain rename,
		// whose durability needs the directory synced.
		if err := os.Rename(spare, path); err != nil {
			return err
		}
		if fsync {
			if err := f.Sync(); err != nil {
				return err
			}
			return syncDir(filepath.Dir(path))
		}
		return nil
	case errors.Is(err, errNoExchange):
		f.Close()
		os.Remove(spare)
		return err
	case err != nil:
		return err
	}
	if fsync {
		return f.Sync()
	}
	return nil
}

// writeNodesConfTemp writes data to a new temporary file and renames it
// over nodes.conf.
func writeNodesConfTemp(path string, data []byte, fsync bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil && fsync {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if fsync {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// exchangeUnsupported reports errors with which renameat2 says it cannot
// exchange names (an old kernel, a file system without support).
func exchangeUnsupported(err error) bool {
	return errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
