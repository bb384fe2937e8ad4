// Package config owns the server's settings.
//
// One table (table.go) lists every directive Valkey 9.0 knows: name,
// alias, type, default, bounds, flags and whether CONFIG SET may change
// it. Values are kept as canonical strings, exactly what CONFIG GET
// shows: sizes in bytes, yes/no, enum names in lower case, save as
// "3600 1 300 100".
//
// Loading follows valkey-server: a valkey.conf file (comments, quoting as
// sdssplitargs, include with nesting, globs and loop detection, size
// suffixes, multi-argument directives, the last occurrence winning except
// for save lines, which accumulate) followed by command-line directives
// (--name value ...), which are turned into configuration lines the way
// valkey-server's main() does. Errors are *FileError values whose text is
// Valkey's FATAL CONFIG FILE ERROR report, naming the file and line.
//
// At run time Match implements CONFIG GET (several patterns, globs,
// aliases, hidden settings), SetWith implements CONFIG SET (atomic over
// all pairs, Valkey's error texts, apply hooks with roll-back) and
// Rewrite implements CONFIG REWRITE (Valkey's in-place algorithm, atomic
// replacement of the file). Other packages react to changes through hooks
// registered with OnChange or OnAnyChange; they never poll. Hooks run
// with the configuration's operation lock held: they may call Get, Int,
// Bool and Match, but not Set, Rewrite or the Load functions.
//
// Shoal keeps the process's working directory: the dir setting is stored
// as an absolute path (relative values resolve against the previous one,
// as Valkey's chdir would), and relative include paths resolve against
// it. Users of dir join it with file names themselves.
package config
