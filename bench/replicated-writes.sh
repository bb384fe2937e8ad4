#!/usr/bin/env bash
# replicated-writes.sh: write throughput with one replica attached, Shoal
# against redis-server, on this machine in one run. For each server: a
# primary and a replica on loopback, REPLICAOF, wait for the link, then
#   redis-benchmark -t set -n N -c CLIENTS -r KEYS
# against the primary, ROUNDS times alternating; prints requests per second
# and the server CPU per request of the primary and of the replica (from
# /proc), medians over the rounds. What it shows: how much a replica costs
# the primary per write (the backlog, the sender's system calls) and what
# applying the stream costs the replica.
#
# Environment: N (300000), CLIENTS (50), KEYS (100000), ROUNDS (3),
# SHOAL_BIN, REDIS_SERVER, REDIS_BENCHMARK, REDIS_CLI.
set -euo pipefail
N=${N:-300000}
CLIENTS=${CLIENTS:-50}
KEYS=${KEYS:-100000}
ROUNDS=${ROUNDS:-3}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}
cd "$(dirname "$0")/.."
if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_init replwrites
build_shoal

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# one_round side: prints "rps primary_us replica_us" for one run.
one_round() {
	local side=$1 pport rport ppid rpid i a ra b rb out rps hz
	pport=$(free_port)
	rport=$(free_port)
	while [ "$rport" = "$pport" ]; do rport=$(free_port); done
	if [ "$side" = redis ]; then
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$pport" --save '' --appendonly no --dir "$WORK" \
			--logfile "$WORK/redis-p.log" &
		ppid=$!
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --dir "$WORK" \
			--logfile "$WORK/redis-r.log" &
		rpid=$!
	else
		"$BIN" --bind 127.0.0.1 --port "$pport" 2>"$WORK/shoal-p.log" &
		ppid=$!
		"$BIN" --bind 127.0.0.1 --port "$rport" 2>"$WORK/shoal-r.log" &
		rpid=$!
	fi
	PIDS+=("$ppid" "$rpid")
	wait_mine "$pport" "$ppid"
	wait_mine "$rport" "$rpid"
	"$REDIS_CLI" -p "$rport" replicaof 127.0.0.1 "$pport" >/dev/null
	for i in $(seq 1 200); do
		"$REDIS_CLI" -p "$rport" info replication | tr -d '\r' | grep -q '^master_link_status:up' && break
		sleep 0.05
	done
	a=$(ticks "$ppid")
	ra=$(ticks "$rpid")
	out=$("$REDIS_BENCHMARK" -p "$pport" -t set -n "$N" -c "$CLIENTS" -r "$KEYS" -q 2>&1 | tr '\r' '\n')
	b=$(ticks "$ppid")
	rb=$(ticks "$rpid")
	rps=$(echo "$out" | awk '/requests per second/ { r = $2 } END { print r }')
	hz=$(getconf CLK_TCK)
	kill "$ppid" "$rpid"
	wait "$ppid" "$rpid" 2>/dev/null || true
	awk -v r="$rps" -v p=$((b - a)) -v q=$((rb - ra)) -v n="$N" -v hz="$hz" \
		'BEGIN { printf "%s %.2f %.2f\n", r, p * 1e6 / hz / n, q * 1e6 / hz / n }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$WORK/rows"
for r in $(seq 1 "$ROUNDS"); do
	for side in redis shoal; do
		log "round $r: $side"
		echo "$side $(one_round "$side")" >>"$WORK/rows"
	done
done

printf '\nSET with one replica attached: -n %s -c %s -r %s, median of %s; %s cores\n\n' \
	"$N" "$CLIENTS" "$KEYS" "$ROUNDS" "$(nproc)"
printf '%-34s %10s %10s %7s\n' "" redis shoal ratio
for col in 2 3 4; do
	case $col in
	2) name="requests per second" ;;
	3) name="primary CPU per request (us)" ;;
	4) name="replica CPU per request (us)" ;;
	esac
	rv=$(awk -v c="$col" '$1 == "redis" { print $c }' "$WORK/rows" | median)
	sv=$(awk -v c="$col" '$1 == "shoal" { print $c }' "$WORK/rows" | median)
	printf '%-34s %10s %10s %7s\n' "$name" "$rv" "$sv" "$(awk -v a="$sv" -v b="$rv" 'BEGIN { printf "%.2f", a / b }')"
done
printf '\n(ratio = shoal / redis; CPU from /proc utime+stime of each server during the benchmark)\n'
