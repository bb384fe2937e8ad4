#!/usr/bin/env bash
# Legacy slot migration speed, Shoal against redis-server, on the same
# machine in the same run. For each of a Shoal cluster and a redis-server
# 7.0 cluster (cluster-enabled yes, no persistence):
#   1. 3 primaries created with `"$REDIS_CLI" --cluster create`;
#   2. SIZE_MB of VALUE_SIZE-byte values loaded (bench/legacyload, the
#      same keys on both sides);
#   3. a 4th, empty primary joined with `"$REDIS_CLI" --cluster add-node`;
#   4. timed: `"$REDIS_CLI" --cluster rebalance --cluster-use-empty-masters`,
#      which moves a quarter of the slots (and of the data) to it with
#      CLUSTER SETSLOT / GETKEYSINSLOT / MIGRATE;
#   5. checked: `"$REDIS_CLI" --cluster check` clean, no key lost.
# It prints both times, MB/s, and the ratio Shoal/redis (below 1: Shoal is
# faster). Every process started is stopped by its PID on exit.
#
# Environment: SIZE_MB (default 1024), VALUE_SIZE (16384), PIPELINE
# (--cluster-pipeline, default redis-cli's 10), SHOAL_PORT (7600),
# REDIS_PORT (7700), ORDER ("shoal redis" or "redis shoal"), SHOAL_ENV
# (environment for shoal-server, e.g. SHOAL_CPUPROFILE=/tmp/cpu.out), WARM_MB
# (2048: memory touched and freed just before each timed rebalance, both
# sides alike; see warmMemory in bench/legacyload).
# Quick run: SIZE_MB=64 bench/legacy-rebalance.sh
set -euo pipefail
export LC_ALL=C

SIZE_MB="${SIZE_MB:-1024}"
VALUE_SIZE="${VALUE_SIZE:-16384}"
PIPELINE="${PIPELINE:-10}"
WARM_MB="${WARM_MB:-2048}"
SHOAL_PORT="${SHOAL_PORT:-7600}"
REDIS_PORT="${REDIS_PORT:-7700}"
ORDER="${ORDER:-shoal redis}"
SHOAL_ENV="${SHOAL_ENV:-}"
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}
KEYS=$((SIZE_MB * 1024 * 1024 / VALUE_SIZE))

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init legacy
for tool in "$REDIS_SERVER" "$REDIS_CLI"; do
	command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y redis-server redis-tools)"
done
if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
work=$WORK
build_shoal
log "building bench/legacyload"
(cd "$ROOT" && go build -o "$WORK/legacyload" ./bench/legacyload)

# start SIDE PORT starts one cluster-enabled node; its pid is recorded.
start() {
	local side=$1 port=$2 dir="$work/$1-$2"
	mkdir -p "$dir"
	if [ "$side" = shoal ]; then
		# shellcheck disable=SC2086
		env $SHOAL_ENV "$BIN" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
			--logfile "$dir/log" --save '' --appendonly no &
	else
		"$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
			--cluster-config-file nodes.conf --logfile "$dir/log" --save '' --appendonly no --daemonize no &
	fi
	PIDS+=("$!")
	wait_mine "$port" "$!"
}

# wait_clean PORT waits until redis-cli --cluster check finds nothing wrong.
wait_clean() {
	local out
	for ((t = 0; t < 600; t++)); do
		out=$("$REDIS_CLI" --cluster check "127.0.0.1:$1" 2>&1) || true
		if grep -q 'All nodes agree' <<<"$out" && grep -q 'All 16384 slots covered' <<<"$out" &&
			! grep -q -e '\[ERR\]' -e '\[WARNING\]' <<<"$out"; then
			return 0
		fi
		sleep 0.1
	done
	printf '%s\n' "$out" >&2
	die "cluster on $1 never became clean"
}

keys_in() {
	local total=0 n
	for ((i = 0; i < 4; i++)); do
		n=$("$REDIS_CLI" -p $(($1 + i)) DBSIZE)
		total=$((total + n))
	done
	echo "$total"
}

# run SIDE BASE sets secs[SIDE] to the rebalance time in seconds. It runs
# in the main shell (not in $(...)) so that the pids it starts are seen by
# bench_cleanup.
declare -A secs
run() {
	local side=$1 base=$2
	for ((i = 0; i < 4; i++)); do start "$side" $((base + i)); done
	"$REDIS_CLI" --cluster create 127.0.0.1:"$base" 127.0.0.1:$((base + 1)) 127.0.0.1:$((base + 2)) \
		--cluster-replicas 0 --cluster-yes >"$work/$side-create.log" 2>&1 ||
		{ cat "$work/$side-create.log" >&2; exit 1; }
	wait_clean "$base"
	wait_cluster_ok "$base" 3
	log "$side: loading $KEYS keys of $VALUE_SIZE bytes"
	"$WORK/legacyload" -addr 127.0.0.1:"$base" -keys "$KEYS" -size "$VALUE_SIZE" >&2
	"$REDIS_CLI" --cluster add-node 127.0.0.1:$((base + 3)) 127.0.0.1:"$base" >"$work/$side-add.log" 2>&1 ||
		{ cat "$work/$side-add.log" >&2; exit 1; }
	wait_clean "$base"
	wait_cluster_ok "$base" 4
	if [ "$WARM_MB" -gt 0 ]; then
		"$WORK/legacyload" -warm-mb "$WARM_MB"
	fi
	log "$side: redis-cli --cluster rebalance --cluster-use-empty-masters --cluster-pipeline $PIPELINE"
	local t0 t1
	t0=$(date +%s.%N)
	"$REDIS_CLI" --cluster rebalance 127.0.0.1:"$base" --cluster-use-empty-masters \
		--cluster-pipeline "$PIPELINE" >"$work/$side-rebalance.log" 2>&1 ||
		{ tail -50 "$work/$side-rebalance.log" >&2; exit 1; }
	t1=$(date +%s.%N)
	wait_clean "$base"
	local moved total
	moved=$("$REDIS_CLI" -p $((base + 3)) DBSIZE)
	total=$(keys_in "$base")
	if [ "$total" -ne "$KEYS" ]; then
		die "$side: $total keys after the rebalance, want $KEYS"
	fi
	secs[$side]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	local slots
	slots=$("$REDIS_CLI" -p $((base + 3)) CLUSTER NODES | awk '/myself/ { n = 0; for (i = 9; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }')
	log "$side: moved $moved of $total keys and $slots slots in ${secs[$side]}s"
}

for side in $ORDER; do
	if [ "$side" = shoal ]; then base=$SHOAL_PORT; else base=$REDIS_PORT; fi
	run "$side" "$base"
done
mb=$((SIZE_MB / 4))
printf '%-8s %10s %10s\n' server seconds 'MB/s'
for side in shoal redis; do
	awk -v s="$side" -v t="${secs[$side]}" -v mb="$mb" 'BEGIN { printf "%-8s %10.2f %10.1f\n", s, t, mb / t }'
done
awk -v a="${secs[shoal]}" -v b="${secs[redis]}" \
	'BEGIN { printf "ratio shoal/redis (time): %.2f  (%s MB of %s MB moved, 3 -> 4 primaries)\n", a / b, '"$mb"', '"$SIZE_MB"' }'
