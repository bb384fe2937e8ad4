package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// specialOps implements a TypeSpecial setting: its own argument parser
// and its own CONFIG REWRITE lines.
type specialOps struct {
	parse   func(args []string, ctx parseCtx) (string, string)
	rewrite func(st *rewriteState, s *Setting, v string, get func(string) string)
	// show, when set, turns the stored value into what CONFIG GET
	// displays, for values whose display loses information.
	show func(v string) string
}

// --- save ---------------------------------------------------------------

var saveOps = &specialOps{parse: parseSave, rewrite: rewriteSave}

// parseSave is setConfigSaveOption: pairs of <seconds> <changes>, seconds
// >= 1, changes >= 0; a single "" means no snapshots. While loading, save
// lines after the first accumulate instead of replacing each other.
func parseSave(args []string, ctx parseCtx) (string, string) {
	if len(args) == 1 && args[0] == "" {
		return "", ""
	}
	if len(args)%2 != 0 {
		return "", "Invalid save parameters"
	}
	parts := make([]string, 0, len(args))
	for j, a := range args {
		n, ok := strtoll(a, 10)
		if !ok || (j%2 == 0 && n < 1) || (j%2 == 1 && (n < 0 || n > intMax)) {
			return "", "Invalid save parameters"
		}
		parts = append(parts, strconv.FormatInt(n, 10))
	}
	v := strings.Join(parts, " ")
	if ctx.loading && ctx.saveLoaded && ctx.old != "" {
		if v == "" {
			return ctx.old, ""
		}
		return ctx.old + " " + v, ""
	}
	return v, ""
}

func rewriteSave(st *rewriteState, s *Setting, v string, _ func(string) string) {
	if v == "" {
		st.rewriteLine(s.Name, `save ""`, true)
	} else {
		st.rewriteLine(s.Name, "save "+v, true)
	}
	st.markProcessed(s.Name)
}

// --- client-output-buffer-limit -----------------------------------------

var obufOps = &specialOps{parse: parseObuf, rewrite: rewriteObuf}

// obufClasses are the classes in CONFIG GET order and their defaults.
var obufClasses = [3]struct{ name, def string }{
	{"normal", "0 0 0"},
	{"slave", "268435456 67108864 60"},
	{"pubsub", "33554432 8388608 60"},
}

const obufDefault = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"

func obufClass(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return 0
	case "slave", "replica":
		return 1
	case "pubsub":
		return 2
	}
	return -1
}

// parseObuf is updateClientOutputBufferLimit: groups of <class> <hard>
// <soft> <soft-seconds>; classes not named keep their current limits.
func parseObuf(args []string, ctx parseCtx) (string, string) {
	if len(args)%4 != 0 {
		return "", "Wrong number of arguments in buffer limit configuration."
	}
	cur := obufSplit(ctx.old)
	for j := 0; j < len(args); j += 4 {
		class := obufClass(args[j])
		if class < 0 {
			return "", "Invalid client class specified in buffer limit configuration."
		}
		hard, okh := memtoull(args[j+1])
		soft, oks := memtoull(args[j+2])
		secs, okt := strtoll(args[j+3], 10)
		if !okh || !oks || !okt || secs < 0 || secs > intMax {
			return "", "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		cur[class] = fmt.Sprintf("%d %d %d", hard, soft, secs)
	}
	return obufJoin(cur), ""
}

// obufSplit returns the per-class "hard soft seconds" triples of a
// canonical value.
func obufSplit(v string) [3]string {
	var out [3]string
	f := strings.Fields(v)
	for i := range out {
		out[i] = obufClasses[i].def
		if len(f) >= 4*(i+1) {
			out[i] = strings.Join(f[4*i+1:4*i+4], " ")
		}
	}
	return out
}

func obufJoin(c [3]string) string {
	parts := make([]string, 0, 3)
	for i, t := range c {
		parts = append(parts, obufClasses[i].name+" "+t)
	}
	return strings.Join(parts, " ")
}

func rewriteObuf(st *rewriteState, s *Setting, v string, _ func(string) string) {
	for i, t := range obufSplit(v) {
		f := strings.Fields(t)
		hard, _ := strconv.ParseUint(f[0], 10, 64)
		soft, _ := strconv.ParseUint(f[1], 10, 64)
		name := obufClasses[i].name
		if name == "slave" {
			name = "replica"
		}
		line := fmt.Sprintf("%s %s %s %s %s", s.Name, name, formatMemory(hard), formatMemory(soft), f[2])
		st.rewriteLine(s.Name, line, t != obufClasses[i].def)
	}
}

// --- notify-keyspace-events ---------------------------------------------

var notifyOps = &specialOps{parse: parseNotify, rewrite: rewriteNotify, show: showNotify}

// Keyspace event classes, in the bit order keyspaceEventsFlagsToString
// prints them.
const (
	nKeyspace = 1 << iota
	nKeyevent
	nGeneric
	nString
	nList
	nSet
	nHash
	nZSet
	nExpired
	nEvicted
	nStream
	nKeyMiss
	nModule
	nNew
	nAll = nGeneric | nString | nList | nSet | nHash | nZSet | nExpired | nEvicted | nStream | nModule
)

var notifyLetters = map[byte]int{
	'A': nAll, 'g': nGeneric, '$': nString, 'l': nList, 's': nSet, 'h': nHash,
	'z': nZSet, 'x': nExpired, 'e': nEvicted, 'K': nKeyspace, 'E': nKeyevent,
	't': nStream, 'm': nKeyMiss, 'd': nModule, 'n': nNew,
}

func parseNotify(args []string, _ parseCtx) (string, string) {
	if len(args) != 1 {
		return "", "wrong number of arguments"
	}
	flags := 0
	for i := 0; i < len(args[0]); i++ {
		f, ok := notifyLetters[args[0][i]]
		if !ok {
			return "", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
		}
		flags |= f
	}
	return notifyString(flags), ""
}

// notifyString is keyspaceEventsFlagsToString, except that with 'A' it
// keeps 'n' (right after the 'A'), which Valkey drops from the text but
// not from its flags. showNotify drops it for CONFIG GET.
func notifyString(flags int) string {
	var b strings.Builder
	if flags&nAll == nAll {
		b.WriteByte('A')
		if flags&nNew != 0 {
			b.WriteByte('n')
		}
	} else {
		for _, x := range []struct {
			f int
			c byte
		}{{nGeneric, 'g'}, {nString, '$'}, {nList, 'l'}, {nSet, 's'}, {nHash, 'h'}, {nZSet, 'z'},
			{nExpired, 'x'}, {nEvicted, 'e'}, {nStream, 't'}, {nModule, 'd'}, {nNew, 'n'}} {
			if flags&x.f != 0 {
				b.WriteByte(x.c)
			}
		}
	}
	if flags&nKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&nKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&nKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

func showNotify(v string) string {
	if strings.HasPrefix(v, "An") {
		return "A" + v[2:]
	}
	return v
}

func rewriteNotify(st *rewriteState, s *Setting, v string, _ func(string) string) {
	st.rewriteLine(s.Name, s.Name+" "+repr(v), v != "")
}

// --- bind ---------------------------------------------------------------

const bindAddrMax = 16

var bindOps = &specialOps{parse: parseBind, rewrite: rewriteBind}

func parseBind(args []string, _ parseCtx) (string, string) {
	if len(args) > bindAddrMax {
		return "", "Too many bind addresses specified."
	}
	if len(args) == 1 && args[0] == "" {
		return "", ""
	}
	return strings.Join(args, " "), ""
}

func rewriteBind(st *rewriteState, s *Setting, v string, _ func(string) string) {
	if v == s.Default {
		st.markProcessed(s.Name)
		return
	}
	st.rewriteLine(s.Name, s.Name+" "+confArgs(strings.Split(v, " ")), true)
}

var rdmaBindOps = &specialOps{parse: parseBind, rewrite: func(st *rewriteState, s *Setting, v string, get func(string) string) {
	if v != "" {
		st.rewriteLine(s.Name, s.Name+" "+confArgs(strings.Split(v, " ")), true)
	}
}}

// confArgs writes arguments for a configuration line, quoting only those
// that would not read back as themselves. (Valkey writes bind addresses
// and the replicaof host unquoted, which breaks on unusual values.)
func confArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "" || strings.ContainsAny(a, " \t\r\n\v\f\"'\\") || strings.IndexFunc(a, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
			out[i] = repr(a)
		}
	}
	return strings.Join(out, " ")
}

// --- dir ----------------------------------------------------------------

var dirOps = &specialOps{parse: parseDir, rewrite: rewriteDir}

// parseDir is setConfigDirOption. Valkey chdir()s into the directory;
// Shoal keeps the process directory and stores the absolute path instead,
// resolving a relative value against the current one as chdir would.
func parseDir(args []string, ctx parseCtx) (string, string) {
	if len(args) != 1 {
		return "", "wrong number of arguments"
	}
	if args[0] == "" {
		return "", "dir can't be empty"
	}
	p := args[0]
	if !filepath.IsAbs(p) {
		p = filepath.Join(ctx.old, p)
	}
	p = filepath.Clean(p)
	fi, err := os.Stat(p)
	if err != nil {
		return "", strerror(err)
	}
	if !fi.IsDir() {
		return "", strerror(syscall.ENOTDIR)
	}
	return p, ""
}

func rewriteDir(st *rewriteState, s *Setting, v string, _ func(string) string) {
	st.rewriteLine(s.Name, s.Name+" "+repr(v), true)
}

// strerror renders an OS error the way C's strerror does ("No such file
// or directory"), which is what Valkey puts in its replies.
func strerror(err error) string {
	var errno syscall.Errno
	var pe *fs.PathError
	switch {
	case errors.As(err, &errno):
	case errors.As(err, &pe):
		return strerror(pe.Err)
	default:
		return err.Error()
	}
	msg := errno.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// --- replicaof ----------------------------------------------------------

var replicaofOps = &specialOps{parse: parseReplicaof, rewrite: rewriteReplicaof}

func parseReplicaof(args []string, _ parseCtx) (string, string) {
	if len(args) != 2 {
		return "", "wrong number of arguments"
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return "", ""
	}
	port, ok := strtoll(args[1], 10)
	if !ok || port < 0 || port > 65535 {
		return "", "Invalid primary port"
	}
	return args[0] + " " + strconv.FormatInt(port, 10), ""
}

func rewriteReplicaof(st *rewriteState, s *Setting, v string, get func(string) string) {
	if v == "" || get("cluster-enabled") == "yes" {
		st.markProcessed(s.Name)
		return
	}
	i := strings.LastIndexByte(v, ' ')
	host, port := v[:i], v[i+1:]
	st.rewriteLine(s.Name, s.Name+" "+confArgs([]string{host, port}), true)
}

// --- oom-score-adj-values -----------------------------------------------

var oomOps = &specialOps{parse: parseOOM, rewrite: func(st *rewriteState, s *Setting, v string, _ func(string) string) {
	st.rewriteLine(s.Name, s.Name+" "+v, v != s.Default)
}}

func parseOOM(args []string, _ parseCtx) (string, string) {
	if len(args) != 3 {
		return "", "wrong number of arguments"
	}
	out := make([]string, 3)
	for i, a := range args {
		n, ok := strtoll(a, 10)
		if !ok || n < -2000 || n > 2000 {
			return "", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
		out[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(out, " "), ""
}

// --- latency-tracking-info-percentiles ----------------------------------

var percentilesOps = &specialOps{parse: parsePercentiles, rewrite: func(st *rewriteState, s *Setting, v string, _ func(string) string) {
	if v == "" {
		v = `""`
	}
	st.rewriteLine(s.Name, s.Name+" "+v, true)
}}

func parsePercentiles(args []string, _ parseCtx) (string, string) {
	if len(args) == 1 && args[0] == "" {
		return "", ""
	}
	out := make([]string, 0, len(args))
	for _, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if a == "" || isCSpace(a[0]) || err != nil || f != f {
			return "", "Invalid latency-tracking-info-percentiles parameters"
		}
		if f > 100 || f < 0 {
			return "", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
		}
		out = append(out, trimDouble(strconv.FormatFloat(f, 'f', 6, 64)))
	}
	return strings.Join(out, " "), ""
}

// trimDouble drops trailing zeros (and a bare dot) from a %f rendering.
func trimDouble(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
