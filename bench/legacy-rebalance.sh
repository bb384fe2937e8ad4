#!/usr/bin/env bash
# Legacy slot migration speed, Shoal against redis-server, on the same
# machine in the same run. For each of a Shoal cluster and a redis-server
# 7.0 cluster (cluster-enabled yes, no persistence):
#   1. 3 primaries created with `redis-cli --cluster create`;
#   2. SIZE_MB of VALUE_SIZE-byte values loaded (bench/legacyload, the
#      same keys on both sides);
#   3. a 4th, empty primary joined with `redis-cli --cluster add-node`;
#   4. timed: `redis-cli --cluster rebalance --cluster-use-empty-masters`,
#      which moves a quarter of the slots (and of the data) to it with
#      CLUSTER SETSLOT / GETKEYSINSLOT / MIGRATE;
#   5. checked: `redis-cli --cluster check` clean, no key lost.
# It prints both times, MB/s, and the ratio Shoal/redis (below 1: Shoal is
# faster). Every process started is stopped by its PID on exit.
#
# Environment: SIZE_MB (default 1024), VALUE_SIZE (16384), PIPELINE
# (--cluster-pipeline, default redis-cli's 10), SHOAL_PORT (7600),
# REDIS_PORT (7700), ORDER ("shoal redis" or "redis shoal"), SHOAL_ENV
# (environment for shoal-server, e.g. SHOAL_CPUPROFILE=/tmp/cpu.out).
# Quick run: SIZE_MB=64 bench/legacy-rebalance.sh
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
SIZE_MB="${SIZE_MB:-1024}"
VALUE_SIZE="${VALUE_SIZE:-16384}"
PIPELINE="${PIPELINE:-10}"
SHOAL_PORT="${SHOAL_PORT:-7600}"
REDIS_PORT="${REDIS_PORT:-7700}"
ORDER="${ORDER:-shoal redis}"
SHOAL_ENV="${SHOAL_ENV:-}"
KEYS=$((SIZE_MB * 1024 * 1024 / VALUE_SIZE))

log() { printf '==> %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "$1 not found (apt-get install -y redis-server redis-tools)"; exit 1; }; }
need redis-server
need redis-cli
if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
	trap - EXIT INT TERM
	if [ "${#pids[@]}" -gt 0 ]; then
		kill "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building bin/shoal-server and bin/legacyload"
go build -o bin/shoal-server ./cmd/shoal-server
go build -o bin/legacyload ./bench/legacyload

# start SIDE PORT starts one cluster-enabled node; its pid is recorded.
start() {
	local side=$1 port=$2 dir="$work/$1-$2"
	mkdir -p "$dir"
	if [ "$side" = shoal ]; then
		# shellcheck disable=SC2086
		env $SHOAL_ENV bin/shoal-server --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
			--logfile "$dir/log" --save '' --appendonly no &
	else
		redis-server --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
			--cluster-config-file nodes.conf --logfile "$dir/log" --save '' --appendonly no --daemonize no &
	fi
	pids+=("$!")
}

wait_port() {
	for ((t = 0; t < 100; t++)); do
		redis-cli -p "$1" PING >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	log "nothing answers on port $1"
	exit 1
}

# wait_clean PORT waits until redis-cli --cluster check finds nothing wrong.
wait_clean() {
	local out
	for ((t = 0; t < 600; t++)); do
		out=$(redis-cli --cluster check "127.0.0.1:$1" 2>&1) || true
		if grep -q 'All nodes agree' <<<"$out" && grep -q 'All 16384 slots covered' <<<"$out" &&
			! grep -q -e '\[ERR\]' -e '\[WARNING\]' <<<"$out"; then
			return 0
		fi
		sleep 0.1
	done
	printf '%s\n' "$out" >&2
	log "cluster on $1 never became clean"
	exit 1
}

# wait_ok BASE N waits for cluster_state:ok on N nodes from BASE.
wait_ok() {
	for ((t = 0; t < 300; t++)); do
		local ok=0
		for ((i = 0; i < $2; i++)); do
			redis-cli -p $(($1 + i)) CLUSTER INFO | grep -q '^cluster_state:ok' && ok=$((ok + 1))
		done
		[ "$ok" -eq "$2" ] && return 0
		sleep 0.1
	done
	log "cluster on $1 did not reach cluster_state:ok"
	exit 1
}

keys_in() {
	local total=0 n
	for ((i = 0; i < 4; i++)); do
		n=$(redis-cli -p $(($1 + i)) DBSIZE)
		total=$((total + n))
	done
	echo "$total"
}

# run SIDE BASE sets secs[SIDE] to the rebalance time in seconds. It runs
# in the main shell (not in $(...)) so that the pids it starts are seen by
# cleanup.
declare -A secs
run() {
	local side=$1 base=$2
	for ((i = 0; i < 4; i++)); do start "$side" $((base + i)); done
	for ((i = 0; i < 4; i++)); do wait_port $((base + i)); done
	redis-cli --cluster create 127.0.0.1:"$base" 127.0.0.1:$((base + 1)) 127.0.0.1:$((base + 2)) \
		--cluster-replicas 0 --cluster-yes >"$work/$side-create.log" 2>&1 ||
		{ cat "$work/$side-create.log" >&2; exit 1; }
	wait_clean "$base"
	wait_ok "$base" 3
	log "$side: loading $KEYS keys of $VALUE_SIZE bytes"
	bin/legacyload -addr 127.0.0.1:"$base" -keys "$KEYS" -size "$VALUE_SIZE" >&2
	redis-cli --cluster add-node 127.0.0.1:$((base + 3)) 127.0.0.1:"$base" >"$work/$side-add.log" 2>&1 ||
		{ cat "$work/$side-add.log" >&2; exit 1; }
	wait_clean "$base"
	wait_ok "$base" 4
	log "$side: redis-cli --cluster rebalance --cluster-use-empty-masters --cluster-pipeline $PIPELINE"
	local t0 t1
	t0=$(date +%s.%N)
	redis-cli --cluster rebalance 127.0.0.1:"$base" --cluster-use-empty-masters \
		--cluster-pipeline "$PIPELINE" >"$work/$side-rebalance.log" 2>&1 ||
		{ tail -50 "$work/$side-rebalance.log" >&2; exit 1; }
	t1=$(date +%s.%N)
	wait_clean "$base"
	local moved total
	moved=$(redis-cli -p $((base + 3)) DBSIZE)
	total=$(keys_in "$base")
	if [ "$total" -ne "$KEYS" ]; then
		log "$side: $total keys after the rebalance, want $KEYS"
		exit 1
	fi
	secs[$side]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	local slots
	slots=$(redis-cli -p $((base + 3)) CLUSTER NODES | awk '/myself/ { n = 0; for (i = 9; i <= NF; i++) { split($i, r, "-"); n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }')
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
