#!/usr/bin/env bash
# Cluster throughput, Shoal against redis-server, on the same machine in the
# same run: a 3-primary Shoal cluster and a 3-primary redis-server cluster
# (cluster-enabled yes, no persistence), both created with
# `redis-cli --cluster create`, then
#   redis-benchmark --cluster -t set,get -c CLIENTS -n REQUESTS
# against each, ROUNDS times alternating, printing requests per second per
# round and the Shoal/redis ratio of the medians. Every process started is
# stopped by its PID on exit.
#
# Environment: REQUESTS (default 200000), CLIENTS (50), ROUNDS (3),
# SHOAL_PORT (7400), REDIS_PORT (7500), EXTRA (more redis-benchmark flags,
# e.g. "-P 16" or "-d 100").
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
REQUESTS="${REQUESTS:-200000}"
CLIENTS="${CLIENTS:-50}"
ROUNDS="${ROUNDS:-3}"
SHOAL_PORT="${SHOAL_PORT:-7400}"
REDIS_PORT="${REDIS_PORT:-7500}"
EXTRA="${EXTRA:-}"
NODES=3

log() { printf '==> %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "$1 not found (apt-get install -y redis-server redis-tools)"; exit 1; }; }
need redis-server
need redis-cli
need redis-benchmark
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

log "building bin/shoal-server"
go build -o bin/shoal-server ./cmd/shoal-server

start_shoal() {
	local port=$1 dir="$work/shoal-$1"
	mkdir -p "$dir"
	bin/shoal-server --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
		--logfile "$dir/log" --save '' --appendonly no &
	pids+=("$!")
}

start_redis() {
	local port=$1 dir="$work/redis-$1"
	mkdir -p "$dir"
	redis-server --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
		--cluster-config-file nodes.conf --logfile "$dir/log" --save '' --appendonly no --daemonize no &
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

# create BASE: redis-cli --cluster create over BASE..BASE+2, then wait for
# cluster_state:ok everywhere.
create() {
	local base=$1 addrs=() port
	for ((i = 0; i < NODES; i++)); do
		wait_port $((base + i))
		addrs+=("127.0.0.1:$((base + i))")
	done
	redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$work/create-$base.log" 2>&1 ||
		{ cat "$work/create-$base.log" >&2; exit 1; }
	for ((t = 0; t < 300; t++)); do
		local ok=0
		for ((i = 0; i < NODES; i++)); do
			redis-cli -p $((base + i)) CLUSTER INFO | grep -q '^cluster_state:ok' && ok=$((ok + 1))
		done
		[ "$ok" -eq "$NODES" ] && return 0
		sleep 0.1
	done
	log "cluster on $base did not reach cluster_state:ok"
	exit 1
}

for ((i = 0; i < NODES; i++)); do
	start_shoal $((SHOAL_PORT + i))
	start_redis $((REDIS_PORT + i))
done
log "creating a ${NODES}-primary Shoal cluster on $SHOAL_PORT and a redis-server cluster on $REDIS_PORT"
create "$SHOAL_PORT"
create "$REDIS_PORT"

# bench PORT prints "SET-rps GET-rps".
bench() {
	# shellcheck disable=SC2086
	redis-benchmark --cluster -h 127.0.0.1 -p "$1" -t set,get -c "$CLIENTS" -n "$REQUESTS" --csv $EXTRA 2>/dev/null |
		awk -F'","' '/^"SET"/ {s=$2} /^"GET"/ {g=$2} END {gsub(/"/, "", s); gsub(/"/, "", g); print s, g}'
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

log "redis-benchmark --cluster -t set,get -c $CLIENTS -n $REQUESTS $EXTRA, $ROUNDS rounds"
printf '%-6s %12s %12s %12s %12s\n' round shoal-SET redis-SET shoal-GET redis-GET
ss=() rs=() sg=() rg=()
for ((r = 1; r <= ROUNDS; r++)); do
	read -r s1 g1 < <(bench "$SHOAL_PORT")
	read -r s2 g2 < <(bench "$REDIS_PORT")
	ss+=("$s1") rs+=("$s2") sg+=("$g1") rg+=("$g2")
	printf '%-6s %12s %12s %12s %12s\n' "$r" "$s1" "$s2" "$g1" "$g2"
done
mss=$(median "${ss[@]}") mrs=$(median "${rs[@]}") msg=$(median "${sg[@]}") mrg=$(median "${rg[@]}")
printf '%-6s %12s %12s %12s %12s\n' median "$mss" "$mrs" "$msg" "$mrg"
awk -v a="$mss" -v b="$mrs" -v c="$msg" -v d="$mrg" \
	'BEGIN {printf "ratio shoal/redis: SET %.2f  GET %.2f\n", a / b, c / d}'
