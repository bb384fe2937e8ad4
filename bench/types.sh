#!/usr/bin/env bash
# types.sh: Shoal against redis-server on the collection types, on this
# machine, in one run. See bench/README-types.md.
#
# 1. Throughput: redis-benchmark -t lpush,lpop,sadd,hset,spop,zadd,lrange_100
#    at each pipeline depth, servers alternating, REPS times; the median
#    per test is kept and the ratio shoal/redis printed. Each test runs as
#    its own redis-benchmark invocation, in redis-benchmark's own order
#    without flushing in between (so LPOP pops what LPUSH pushed and SPOP
#    pops what SADD added, as in one "-t" run), which also gives the
#    server CPU time per request of each test: steadier than throughput
#    when other work shares the machine.
# 2. Memory: HASHES small hashes (5 fields, 16-byte field names and 16-byte
#    values), loaded with the same generated protocol into both servers
#    through redis-cli --pipe; VmRSS and INFO used_memory, ratio shoal/redis.
#
# Environment overrides:
#   N=200000          requests per redis-benchmark test without pipelining
#   NP=2000000        requests per test at a pipeline depth above 1 (at
#                     N=200000 a -P 16 test lasted 0.15 s, within
#                     redis-benchmark's timing steps of about that size)
#   REPS=3            repetitions per (server, pipeline) cell; the median is kept
#   CLIENTS=50        redis-benchmark -c
#   PIPELINES="1 16"  pipeline depths
#   TESTS="lpush lpop sadd hset spop zadd lrange_100"
#   HASHES=1000000    small hashes loaded for the memory measurement (0 skips it)
#   SHOAL_BIN=path    use this binary instead of building cmd/shoal-server
#   SHOAL_ENV="GOGC=100"   environment for shoal-server
#   SHOAL_ARGS="--hz 10"   extra shoal-server directives
#   REDIS_SERVER=redis-server  REDIS_BENCHMARK=redis-benchmark  REDIS_CLI=redis-cli
set -euo pipefail

N=${N:-200000}
NP=${NP:-2000000}
REPS=${REPS:-3}
CLIENTS=${CLIENTS:-50}
PIPELINES=${PIPELINES:-"1 16"}
TESTS=${TESTS:-"lpush lpop sadd hset spop zadd lrange_100"}
HASHES=${HASHES:-1000000}
SHOAL_ENV=${SHOAL_ENV:-}
SHOAL_ARGS=${SHOAL_ARGS:-}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init typebench


info_field() { # port field
	"$REDIS_CLI" -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'
}

# cpu_ticks prints the user+system clock ticks a process has used.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---------------------------------------------------------------- build
build_shoal

# ---------------------------------------------------------------- servers
start_pair

# ---------------------------------------------------------------- memory
# gen_hashes prints HASHES "HSET hash:%010d field:%010d <value> ..." commands
# (16-byte field names, 16-byte values) as raw protocol; deterministic, so
# both servers get byte-identical input.
gen_hashes() {
	awk -v n="$HASHES" 'BEGIN {
		for (i = 0; i < n; i++) {
			k = sprintf("hash:%010d", i);
			printf "*12\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k;
			for (j = 0; j < 5; j++)
				printf "$16\r\nfield:%010d\r\n$16\r\nvalue:%010d\r\n", j, i * 5 + j;
		}
	}'
}

if [ "$HASHES" -gt 0 ]; then
	RSS0_R=$(rss_kb "$RPID")
	RSS0_S=$(rss_kb "$SPID")
	UM0_R=$(info_field "$RPORT" used_memory)
	UM0_S=$(info_field "$SPORT" used_memory)
	for side in R S; do
		if [ $side = R ]; then port=$RPORT; else port=$SPORT; fi
		log "loading $HASHES hashes into port $port"
		out=$(gen_hashes | "$REDIS_CLI" -p "$port" --pipe 2>&1)
		grep -q "errors: 0, replies: $HASHES" <<<"$out" || die "loading port $port failed: $out"
	done
	RSS_R=$(settled_rss_kb "$RPID")
	RSS_S=$(settled_rss_kb "$SPID")
	UM_R=$(info_field "$RPORT" used_memory)
	UM_S=$(info_field "$SPORT" used_memory)
	ENC_S=$("$REDIS_CLI" -p "$SPORT" object encoding hash:0000000000)
	ENC_R=$("$REDIS_CLI" -p "$RPORT" object encoding hash:0000000000)
	[ "$ENC_R" = "$ENC_S" ] || log "warning: encodings differ (redis $ENC_R, shoal $ENC_S)"
fi

# ---------------------------------------------------------------- throughput
# Results rows: side test pipeline rep rps p50 cpu_us_per_request.
: >"$WORK/results"
csv_test_name() { # lrange_100 -> LRANGE_100 (first 100 elements)
	case $1 in
	lrange_100) echo "LRANGE_100 (first 100 elements)" ;;
	*) tr '[:lower:]' '[:upper:]' <<<"$1" ;;
	esac
}
run_test() { # side port pipeline rep pid test
	local t0 t1 name row n=$N
	[ "$3" -gt 1 ] && n=$NP
	name=$(csv_test_name "$6")
	t0=$(cpu_ticks "$5")
	# A server that lacks the command makes redis-benchmark fail: the
	# test is reported as n/a rather than aborting the whole run.
	row=$("$REDIS_BENCHMARK" -p "$2" -t "$6" -n "$n" -c "$CLIENTS" -P "$3" --csv 2>"$WORK/bench.err" |
		awk -F'","' -v name="$name" '{ gsub(/^"|"$/, "") } $1 == name { print $2, $5 }') || true
	t1=$(cpu_ticks "$5")
	if [ -z "$row" ]; then
		log "no result for $6 on port $2: $(head -c 200 "$WORK/bench.err")"
		echo "$1 $6 $3 $4 nan nan nan" >>"$WORK/results"
		return
	fi
	echo "$1 $6 $3 $4 $row $(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { print d / hz * 1e6 / n }')" >>"$WORK/results"
}
# Servers alternate within each repetition and the order flips every
# repetition, so drift in machine load hits both sides alike. Each
# (server, repetition) starts from an empty database.
for p in $PIPELINES; do
	for rep in $(seq 1 "$REPS"); do
		if [ $((rep % 2)) = 1 ]; then order="R S"; else order="S R"; fi
		for side in $order; do
			if [ $side = R ]; then port=$RPORT pid=$RPID; else port=$SPORT pid=$SPID; fi
			log "P$p rep $rep: $([ $side = R ] && echo redis || echo shoal)"
			"$REDIS_CLI" -p "$port" flushall >/dev/null
			for t in $TESTS; do
				run_test "$side" "$port" "$p" "$rep" "$pid" "$t"
			done
		done
	done
done
for pid in "$RPID" "$SPID"; do
	kill -0 "$pid" 2>/dev/null || die "a server died during the run"
done

# median side test pipeline column(5=rps 6=p50 7=cpu)
median() {
	awk -v s="$1" -v t="$2" -v p="$3" -v c="$4" '$1 == s && $2 == t && $3 == p { print $c }' "$WORK/results" |
		sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
num() { awk -v a="$1" -v d="$2" -v u="${3:-}" 'BEGIN { if (a == "nan") print "n/a"; else printf "%.*f%s", d, a, u }'; }

# ---------------------------------------------------------------- report
printf '\nShoal vs redis-server %s: -n %s (pipelined: %s) -c %s, median of %s; %s cores; load %s; shoal env: %s\n\n' \
	"$("$REDIS_SERVER" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')" "$N" "$NP" "$CLIENTS" "$REPS" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" "${SHOAL_ENV:-default}"
printf '%-14s %11s %11s %7s   %10s %10s %7s\n' test "redis rps" "shoal rps" ratio "redis cpu" "shoal cpu" ratio
for p in $PIPELINES; do
	for t in $TESTS; do
		rr=$(median R "$t" "$p" 5)
		sr=$(median S "$t" "$p" 5)
		rc=$(median R "$t" "$p" 7)
		sc=$(median S "$t" "$p" 7)
		printf '%-14s %11s %11s %7s   %10s %10s %7s\n' "$t P$p" "$(num "$rr" 0)" "$(num "$sr" 0)" "$(div "$sr" "$rr")" \
			"$(num "$rc" 2 us)" "$(num "$sc" 2 us)" "$(div "$sc" "$rc")"
	done
done
printf '(rps ratio = shoal / redis, higher is better; cpu = server CPU time per request, ratio = shoal / redis, lower is better)\n'

if [ "$HASHES" -gt 0 ]; then
	mb() { awk -v k="$1" -v u="$2" 'BEGIN { printf "%.1fMB", k * u / 1048576 }'; }
	printf '\n%-34s %10s %10s %7s\n' "memory, $HASHES small hashes ($ENC_S)" redis shoal ratio
	printf '%-34s %10s %10s %7s\n' "VmRSS empty" "$(mb "$RSS0_R" 1024)" "$(mb "$RSS0_S" 1024)" -
	printf '%-34s %10s %10s %7s\n' "VmRSS loaded" "$(mb "$RSS_R" 1024)" "$(mb "$RSS_S" 1024)" "$(div "$RSS_S" "$RSS_R")"
	printf '%-34s %9.0fB %9.0fB %7s\n' "VmRSS per hash (delta / hashes)" \
		"$(awk -v a="$RSS_R" -v b="$RSS0_R" -v n="$HASHES" 'BEGIN { print (a - b) * 1024 / n }')" \
		"$(awk -v a="$RSS_S" -v b="$RSS0_S" -v n="$HASHES" 'BEGIN { print (a - b) * 1024 / n }')" \
		"$(div $((RSS_S - RSS0_S)) $((RSS_R - RSS0_R)))"
	printf '%-34s %10s %10s %7s\n' "INFO used_memory loaded" "$(mb "$UM_R" 1)" "$(mb "$UM_S" 1)" "$(div "$UM_S" "$UM_R")"
	printf '%-34s %9.0fB %9.0fB %7s\n' "used_memory per hash" \
		"$(awk -v a="$UM_R" -v b="$UM0_R" -v n="$HASHES" 'BEGIN { print (a - b) / n }')" \
		"$(awk -v a="$UM_S" -v b="$UM0_S" -v n="$HASHES" 'BEGIN { print (a - b) / n }')" \
		"$(div $((UM_S - UM0_S)) $((UM_R - UM0_R)))"
fi
