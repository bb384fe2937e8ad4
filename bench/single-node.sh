#!/usr/bin/env bash
# single-node.sh: Shoal against redis-server side by side, on this machine,
# in one run. See bench/README.md.
#
# Environment overrides:
#   N=1000000        requests per redis-benchmark test
#   KEYS=1000000     keys loaded for the memory measurement (and -r keyspace)
#   REPS=3           repetitions per (server, pipeline) cell; the median is kept
#   CLIENTS=50       redis-benchmark -c
#   SIZE=64          value size (-d)
#   PIPELINES="1 16" pipeline depths
#   SHOAL_BIN=path   use this binary instead of building cmd/shoal-server
#   SHOAL_ENV="GOMAXPROCS=1 GOGC=100"  environment for shoal-server
#   SHOAL_ARGS="--hz 10"               extra shoal-server directives
#   REDIS_SERVER=redis-server  REDIS_BENCHMARK=redis-benchmark  REDIS_CLI=redis-cli
set -euo pipefail

N=${N:-1000000}
KEYS=${KEYS:-1000000}
REPS=${REPS:-3}
CLIENTS=${CLIENTS:-50}
SIZE=${SIZE:-64}
PIPELINES=${PIPELINES:-"1 16"}
SHOAL_ENV=${SHOAL_ENV:-}
SHOAL_ARGS=${SHOAL_ARGS:-}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init bench

# ---------------------------------------------------------------- build
build_shoal

# ---------------------------------------------------------------- servers
start_pair

# ---------------------------------------------------------------- memory
# Exactly KEYS distinct keys, named as redis-benchmark -r names them
# (key:%012d), each with a SIZE-byte value, sent as raw protocol.
log "generating $KEYS SET commands"
awk -v n="$KEYS" -v size="$SIZE" 'BEGIN {
	v = ""; for (i = 0; i < size; i++) v = v "v";
	for (i = 0; i < n; i++) {
		k = sprintf("key:%012d", i);
		printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, size, v;
	}
}' >"$WORK/load.resp"

RSS0_R=$(rss_kb "$RPID")
RSS0_S=$(rss_kb "$SPID")
for side in R S; do
	if [ $side = R ]; then port=$RPORT; else port=$SPORT; fi
	out=$("$REDIS_CLI" -p "$port" --pipe <"$WORK/load.resp" 2>&1)
	if ! grep -q "errors: 0, replies: $KEYS" <<<"$out"; then
		log "loading port $port failed: $out"
		exit 1
	fi
done
RSS_R=$(settled_rss_kb "$RPID")
RSS_S=$(settled_rss_kb "$SPID")
rm -f "$WORK/load.resp"

# ---------------------------------------------------------------- throughput
# One redis-benchmark run prints CSV rows: "test","rps","avg","min","p50","p95","p99","max".
# Servers alternate within each repetition, and the order flips every
# repetition, so drift in machine load hits both sides alike.
declare -A RES
# cpu_ticks prints the user+system clock ticks a process has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run_bench() { # side port pipeline rep pid
	local t0 t1
	t0=$(cpu_ticks "$5")
	"$REDIS_BENCHMARK" -p "$2" -t set,get -n "$N" -r "$KEYS" -d "$SIZE" -c "$CLIENTS" -P "$3" --csv 2>/dev/null |
		tr -d '"' | awk -F, -v side="$1" -v p="$3" -v rep="$4" \
		'$1 == "SET" || $1 == "GET" { print side, $1, p, rep, $2, $5, $7 }' >>"$WORK/results"
	t1=$(cpu_ticks "$5")
	# Server CPU per request (µs), SET and GET together: steadier than
	# throughput when other work shares the machine.
	echo "$1 CPU $3 $4 $(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$N" 'BEGIN { print d / hz * 1e6 / (2 * n) }')" >>"$WORK/results"
}
: >"$WORK/results"
for p in $PIPELINES; do
	for rep in $(seq 1 "$REPS"); do
		if [ $((rep % 2)) = 1 ]; then order="R S"; else order="S R"; fi
		for side in $order; do
			if [ $side = R ]; then port=$RPORT pid=$RPID; else port=$SPORT pid=$SPID; fi
			log "P$p rep $rep: $([ $side = R ] && echo redis || echo shoal)"
			run_bench "$side" "$port" "$p" "$rep" "$pid"
		done
	done
done
for pid in "$RPID" "$SPID"; do
	kill -0 "$pid" 2>/dev/null || { log "a server died during the run"; exit 1; }
done

# median side test pipeline column(5=rps 6=p50 7=p99)
median() {
	awk -v s="$1" -v t="$2" -v p="$3" -v c="$4" '$1 == s && $2 == t && $3 == p { print $c }' "$WORK/results" |
		sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------- report
printf '\nShoal vs redis-server %s: -n %s -r %s -d %s -c %s, median of %s; %s cores; shoal env: %s\n\n' \
	"$("$REDIS_SERVER" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')" "$N" "$KEYS" "$SIZE" "$CLIENTS" "$REPS" "$(nproc)" "${SHOAL_ENV:-default}"
printf '%-8s %11s %11s %7s   %15s %15s\n' test "redis rps" "shoal rps" ratio "redis p50/p99" "shoal p50/p99"
for p in $PIPELINES; do
	for t in SET GET; do
		rr=$(median R $t "$p" 5)
		sr=$(median S $t "$p" 5)
		printf '%-8s %11.0f %11.0f %7.2f   %15s %15s\n' "$t P$p" "$rr" "$sr" "$(awk -v a="$sr" -v b="$rr" 'BEGIN { print a / b }')" \
			"$(median R $t "$p" 6)/$(median R $t "$p" 7)" "$(median S $t "$p" 6)/$(median S $t "$p" 7)"
	done
done
printf '\n%-28s %10s %10s %7s\n' "server CPU per request" redis shoal ratio
for p in $PIPELINES; do
	rc=$(median R CPU "$p" 5)
	sc=$(median S CPU "$p" 5)
	printf '%-28s %8.2fus %8.2fus %7.2f\n' "SET+GET P$p" "$rc" "$sc" "$(awk -v a="$sc" -v b="$rc" 'BEGIN { print a / b }')"
done
printf '\n%-28s %10s %10s %7s\n' "resident memory (VmRSS)" redis shoal ratio
printf '%-28s %8.1fMB %8.1fMB %7s\n' "empty" "$(awk -v k="$RSS0_R" 'BEGIN { print k / 1024 }')" \
	"$(awk -v k="$RSS0_S" 'BEGIN { print k / 1024 }')" "-"
printf '%-28s %8.1fMB %8.1fMB %7.2f\n' "after $KEYS keys" "$(awk -v k="$RSS_R" 'BEGIN { print k / 1024 }')" \
	"$(awk -v k="$RSS_S" 'BEGIN { print k / 1024 }')" "$(awk -v a="$RSS_S" -v b="$RSS_R" 'BEGIN { print a / b }')"
printf '%-28s %8.0fB  %8.0fB  %7.2f\n' "per key (delta / keys)" \
	"$(awk -v a="$RSS_R" -v b="$RSS0_R" -v n="$KEYS" 'BEGIN { print (a - b) * 1024 / n }')" \
	"$(awk -v a="$RSS_S" -v b="$RSS0_S" -v n="$KEYS" 'BEGIN { print (a - b) * 1024 / n }')" \
	"$(awk -v a="$RSS_S" -v b="$RSS0_S" -v c="$RSS_R" -v d="$RSS0_R" 'BEGIN { print (a - b) / (c - d) }')"
printf '\n(p50/p99 in ms as redis-benchmark reports them; ratio = shoal / redis)\n'
