#!/usr/bin/env bash
# full-sync.sh: full synchronization of a replica from a primary holding
# about 1 GiB, Shoal against redis-server 7.0 (which forks), in one run on
# this machine. For each server: load the primary, run a write workload
# against it, attach an empty replica with REPLICAOF and time the sync
# until the replica reports master_link_status:up, while recording the
# primary's request latency (before vs during the sync), its memory
# (proportional set size of the primary and any child it forks, sampled
# every 250 ms and at the end) and the CPU time the primary (with its
# child), the replica and the load generator used during the sync. See
# bench/README.md.
#
# Environment overrides:
#   KEYS=1000000      keys loaded into the primary
#   SIZE=1024         value size in bytes (KEYS x SIZE ~ 1 GiB)
#   CONNS=4           connections of the write workload (closed loop)
#   WARM=5            seconds of workload measured before the sync
#   SIDES="redis shoal"  which servers to run, in order
#   PSS_EVERY=5       sample memory every 5th poll of the link (polls are 50 ms apart)
#   SHOAL_BIN=path    use this binary instead of building cmd/shoal-server
#   SHOAL_ENV=""      environment for shoal-server (e.g. GOMAXPROCS=2)
#   SHOAL_PRIMARY_ENV="" SHOAL_REPLICA_ENV=""  environment for one of them
#                     (e.g. SHOAL_CPUPROFILE=file, SHOAL_TRACE=file)
#   KEEP_LOGS=dir     copy each side's logs and latencies into dir/<side>
#   REDIS_SERVER=redis-server  REDIS_CLI=redis-cli
set -euo pipefail

KEYS=${KEYS:-1000000}
SIZE=${SIZE:-1024}
CONNS=${CONNS:-4}
WARM=${WARM:-5}
SIDES=${SIDES:-"redis shoal"}
PSS_EVERY=${PSS_EVERY:-5}
SHOAL_ENV=${SHOAL_ENV:-}
SHOAL_PRIMARY_ENV=${SHOAL_PRIMARY_ENV:-}
SHOAL_REPLICA_ENV=${SHOAL_REPLICA_ENV:-}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init fullsync

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# pss_kb prints the proportional set size of a process and its children
# (a forking server's child shares its pages: PSS counts them once).
pss_kb() {
	local total=0 p v
	for p in "$1" $(pgrep -P "$1" || true); do
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		total=$((total + ${v:-0}))
	done
	echo "$total"
}

# cpu_ticks prints the CPU time (clock ticks) a process used, including
# its children (a forking server's snapshot child), reaped or running.
cpu_ticks() {
	local total=0 p v
	for p in "$1" $(pgrep -P "$1" || true); do
		# fields after the command name, which is in parentheses
		v=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
		total=$((total + ${v:-0}))
	done
	echo "$total"
}

# ---------------------------------------------------------------- tools
build_shoal

# latgen: a closed-loop SET workload that keeps one latency histogram per
# phase; SIGUSR1 starts the "during" phase, SIGUSR2 ends it, SIGTERM prints
# "phase count p50_us p99_us p999_us max_us" lines and exits.
mkdir -p "$WORK/latgen"
cat >"$WORK/latgen/main.go" <<'EOF'
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "")
	conns := flag.Int("conns", 4, "")
	keys := flag.Int("keys", 1000000, "")
	size := flag.Int("size", 1024, "")
	flag.Parse()
	var phase atomic.Int32
	var mu sync.Mutex
	lat := [3][]int64{}
	val := make([]byte, *size)
	for i := range val {
		val[i] = 'w'
	}
	for c := 0; c < *conns; c++ {
		go func(seed int64) {
			nc, err := net.Dial("tcp", *addr)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			rd := bufio.NewReader(nc)
			rng := rand.New(rand.NewSource(seed))
			var local [3][]int64
			buf := make([]byte, 0, *size+64)
			for n := 0; ; n++ {
				k := fmt.Sprintf("key:%012d", rng.Intn(*keys))
				buf = append(buf[:0], fmt.Sprintf("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n", len(k), k, len(val))...)
				buf = append(append(buf, val...), '\r', '\n')
				p := phase.Load()
				t0 := time.Now()
				if _, err := nc.Write(buf); err != nil {
					return
				}
				if _, err := rd.ReadString('\n'); err != nil {
					return
				}
				local[p] = append(local[p], time.Since(t0).Microseconds())
				if n%256 == 0 {
					mu.Lock()
					for i := range local {
						lat[i] = append(lat[i], local[i]...)
						local[i] = local[i][:0]
					}
					mu.Unlock()
				}
			}
		}(int64(c + 1))
	}
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM)
	for s := range sig {
		switch s {
		case syscall.SIGUSR1:
			phase.Store(1)
		case syscall.SIGUSR2:
			phase.Store(2)
		case syscall.SIGTERM:
			mu.Lock()
			for i, name := range []string{"before", "during"} {
				v := lat[i]
				sort.Slice(v, func(a, b int) bool { return v[a] < v[b] })
				q := func(f float64) int64 {
					if len(v) == 0 {
						return 0
					}
					return v[int(f*float64(len(v)-1))]
				}
				fmt.Printf("%s %d %d %d %d %d\n", name, len(v), q(0.5), q(0.99), q(0.999), q(1))
			}
			os.Exit(0)
		}
	}
}
EOF
(cd "$WORK/latgen" && go build -o "$WORK/latgen/latgen" main.go)

# link_up FD: sends INFO replication on the open connection FD and reports
# whether the replica's link is up, with bash builtins only (no process).
link_up() {
	local fd=$1 hdr body
	printf 'INFO replication\r\n' >&"$fd"
	IFS= read -r hdr <&"$fd" || return 1
	hdr=${hdr%$'\r'}
	[[ $hdr == \$* ]] || return 1
	LC_ALL=C IFS= read -r -N $((${hdr#\$} + 2)) body <&"$fd" || return 1
	[[ $body == *master_link_status:up* ]]
}

# ---------------------------------------------------------------- one side
# run_side name: prints "name sync_s rows latency... mem..." to results.
: >"$WORK/results"
run_side() {
	local side=$1 pport rport ppid rpid
	pport=$(free_port)
	rport=$(free_port)
	while [ "$rport" = "$pport" ]; do rport=$(free_port); done
	mkdir -p "$WORK/$side"
	if [ "$side" = redis ]; then
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$pport" --save '' --appendonly no --dir "$WORK/$side" \
			--repl-diskless-sync yes --repl-diskless-sync-delay 0 --logfile "$WORK/$side/primary.log" &
		ppid=$!
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --dir "$WORK/$side" \
			--logfile "$WORK/$side/replica.log" &
		rpid=$!
	else
		# shellcheck disable=SC2086
		env $SHOAL_ENV $SHOAL_PRIMARY_ENV "$BIN" --bind 127.0.0.1 --port "$pport" 2>"$WORK/$side/primary.log" &
		ppid=$!
		# shellcheck disable=SC2086
		env $SHOAL_ENV $SHOAL_REPLICA_ENV "$BIN" --bind 127.0.0.1 --port "$rport" 2>"$WORK/$side/replica.log" &
		rpid=$!
	fi
	PIDS+=("$ppid" "$rpid")
	wait_ready "$pport" "$ppid"
	wait_ready "$rport" "$rpid"

	log "$side: loading $KEYS keys of $SIZE bytes"
	local out
	out=$(awk -v n="$KEYS" -v size="$SIZE" 'BEGIN {
		v = ""; for (i = 0; i < size; i++) v = v "v";
		for (i = 0; i < n; i++) {
			k = sprintf("key:%012d", i);
			printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v;
		}
	}' | "$REDIS_CLI" -p "$pport" --pipe 2>&1)
	if ! grep -q "errors: 0, replies: $KEYS" <<<"$out"; then
		log "loading failed: $out"
		exit 1
	fi
	local used
	used=$("$REDIS_CLI" -p "$pport" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')

	"$WORK/latgen/latgen" -addr "127.0.0.1:$pport" -conns "$CONNS" -keys "$KEYS" -size 100 >"$WORK/$side/lat" &
	local lpid=$!
	PIDS+=("$lpid")
	sleep "$WARM"
	local base peak cur t0 t1 pcpu rcpu lcpu
	base=$(pss_kb "$ppid")
	peak=$base
	pcpu=$(cpu_ticks "$ppid")
	rcpu=$(cpu_ticks "$rpid")
	lcpu=$(cpu_ticks "$lpid")
	kill -USR1 "$lpid"
	log "$side: REPLICAOF"
	t0=$(date +%s.%N)
	"$REDIS_CLI" -p "$rport" replicaof 127.0.0.1 "$pport" >/dev/null
	# The link is polled over one connection held by bash itself: a
	# redis-cli | tr | grep per poll forked three processes 20 times a
	# second, and perf sched showed a redis-cli holding a core for 3.8 ms
	# while the load generator waited to run (measured latency that is
	# neither server's).
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$rport"
	local i=0
	while :; do
		# Reading smaps_rollup walks the page tables of a 1 GiB process
		# (about 30 ms of kernel CPU, with its mmap lock held): sampled
		# every PSS_EVERY polls only, so that the measurement does not take
		# a third of a core from the servers it measures.
		if [ $((i % PSS_EVERY)) -eq 0 ]; then
			cur=$(pss_kb "$ppid")
			[ "$cur" -gt "$peak" ] && peak=$cur
		fi
		i=$((i + 1))
		if link_up "$fd"; then
			break
		fi
		sleep 0.05
	done
	cur=$(pss_kb "$ppid")
	[ "$cur" -gt "$peak" ] && peak=$cur
	t1=$(date +%s.%N)
	exec {fd}>&-
	kill -USR2 "$lpid"
	pcpu=$(($(cpu_ticks "$ppid") - pcpu))
	rcpu=$(($(cpu_ticks "$rpid") - rcpu))
	lcpu=$(($(cpu_ticks "$lpid") - lcpu))
	kill -TERM "$lpid"
	wait "$lpid" 2>/dev/null || true
	local rkeys
	rkeys=$("$REDIS_CLI" -p "$rport" dbsize)
	if [ "$rkeys" -lt "$KEYS" ]; then
		log "$side: the replica has $rkeys keys, want $KEYS"
		exit 1
	fi
	# name sync_s used_bytes base_kb peak_kb then the latgen lines, then
	# the CPU seconds of primary, replica and load generator during the sync
	echo "$side $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $used $base $peak" \
		"$(awk '{ printf "%s ", $0 }' "$WORK/$side/lat")" \
		"$(awk -v p="$pcpu" -v r="$rcpu" -v l="$lcpu" -v hz="$(getconf CLK_TCK)" \
			'BEGIN { printf "%.2f %.2f %.2f", p / hz, r / hz, l / hz }')" >>"$WORK/results"
	stop_pid "$lpid"
	stop_pid "$rpid"
	stop_pid "$ppid"
	if [ -n "${KEEP_LOGS:-}" ]; then
		mkdir -p "$KEEP_LOGS"
		cp -r "$WORK/$side" "$KEEP_LOGS/"
		log "$side: logs and latencies kept in $KEEP_LOGS/$side"
	fi
}

for side in $SIDES; do
	run_side "$side"
done

# ---------------------------------------------------------------- report
# results line: side sync used base peak before n p50 p99 p999 max during n p50 p99 p999 max
# primary_cpu replica_cpu load_cpu
log "raw: $(cat "$WORK/results")"
field() { awk -v s="$1" -v f="$2" '$1 == s { print $f }' "$WORK/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'; }
printf '\nFull sync of %s keys x %s bytes; primary under a %s-connection SET workload; %s cores\n\n' \
	"$KEYS" "$SIZE" "$CONNS" "$(nproc)"
printf '%-34s %12s %12s %7s\n' "" redis shoal "ratio"
row() { # label redis shoal unit
	printf '%-34s %12s %12s %7s\n' "$1" "$2$4" "$3$4" "$(ratio "$3" "$2")"
}
R_SYNC=$(field redis 2) S_SYNC=$(field shoal 2)
row "full sync time (s)" "$(printf %.2f "${R_SYNC:-0}")" "$(printf %.2f "${S_SYNC:-0}")" ""
row "primary used_memory after load (MB)" "$(awk -v b="$(field redis 3)" 'BEGIN { printf "%.0f", b / 1048576 }')" \
	"$(awk -v b="$(field shoal 3)" 'BEGIN { printf "%.0f", b / 1048576 }')" ""
for col in "p50 8 14" "p99 9 15" "p99.9 10 16" "max 11 17"; do
	set -- $col
	row "primary $1 before sync (us)" "$(field redis "$2")" "$(field shoal "$2")" ""
	row "primary $1 during sync (us)" "$(field redis "$3")" "$(field shoal "$3")" ""
done
row "requests during sync" "$(field redis 13)" "$(field shoal 13)" ""
row "primary CPU during sync (s)" "$(field redis 18)" "$(field shoal 18)" ""
row "replica CPU during sync (s)" "$(field redis 19)" "$(field shoal 19)" ""
row "load generator CPU during sync (s)" "$(field redis 20)" "$(field shoal 20)" ""
row "primary PSS before sync (MB)" "$(awk -v k="$(field redis 4)" 'BEGIN { printf "%.0f", k / 1024 }')" \
	"$(awk -v k="$(field shoal 4)" 'BEGIN { printf "%.0f", k / 1024 }')" ""
row "primary peak PSS during sync (MB)" "$(awk -v k="$(field redis 5)" 'BEGIN { printf "%.0f", k / 1024 }')" \
	"$(awk -v k="$(field shoal 5)" 'BEGIN { printf "%.0f", k / 1024 }')" ""
rg=$(awk -v a="$(field redis 5)" -v b="$(field redis 4)" 'BEGIN { printf "%.0f", (a - b) / 1024 }')
sg=$(awk -v a="$(field shoal 5)" -v b="$(field shoal 4)" 'BEGIN { printf "%.0f", (a - b) / 1024 }')
row "primary memory growth (MB)" "$rg" "$sg" ""
printf '%-34s %11s%% %11s%%\n' "growth / dataset" \
	"$(awk -v g="$rg" -v k="$KEYS" -v s="$SIZE" 'BEGIN { printf "%.1f", g * 1048576 * 100 / (k * s) }')" \
	"$(awk -v g="$sg" -v k="$KEYS" -v s="$SIZE" 'BEGIN { printf "%.1f", g * 1048576 * 100 / (k * s) }')"
printf '\n(ratio = shoal / redis; redis-server: diskless sync, repl-diskless-sync-delay 0, replica loads from disk)\n'
