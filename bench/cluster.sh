#!/usr/bin/env bash
# Cluster throughput, Shoal against redis-server, on the same machine in the
# same run: a 3-primary Shoal cluster and a 3-primary redis-server cluster
# (cluster-enabled yes, no persistence), both created with
# `"$REDIS_CLI" --cluster create`, then
#   redis-benchmark --cluster -t set,get -c CLIENTS -n REQUESTS
# against each, ROUNDS times alternating, printing requests per second per
# round and the Shoal/redis ratio of the medians. Every process started is
# stopped by its PID on exit.
#
# Environment: REQUESTS (default 1000000), CLIENTS (50), ROUNDS (3),
# SHOAL_PORT (7400), REDIS_PORT (7500), EXTRA (more redis-benchmark flags,
# e.g. "-P 16" or "-d 100").
set -euo pipefail
export LC_ALL=C

REQUESTS="${REQUESTS:-1000000}"
CLIENTS="${CLIENTS:-50}"
ROUNDS="${ROUNDS:-3}"
EXTRA="${EXTRA:-}"
# Fixed bases: the cluster bus listens on port+10000, which a port drawn
# at random could put in the kernel's ephemeral range.
SHOAL_PORT="${SHOAL_PORT:-7400}"
REDIS_PORT="${REDIS_PORT:-7500}"
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}
NODES=3

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init cluster
for tool in "$REDIS_SERVER" "$REDIS_CLI" redis-benchmark; do
	command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y redis-server redis-tools)"
done
if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
build_shoal
work=$WORK

start_shoal() {
	local port=$1 dir="$work/shoal-$1"
	mkdir -p "$dir"
	"$BIN" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
		--logfile "$dir/log" --save '' --appendonly no &
	PIDS+=("$!")
	wait_mine "$port" "$!"
}

start_redis() {
	local port=$1 dir="$work/redis-$1"
	mkdir -p "$dir"
	"$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --dir "$dir" \
		--cluster-config-file nodes.conf --logfile "$dir/log" --save '' --appendonly no --daemonize no &
	PIDS+=("$!")
	wait_mine "$port" "$!"
}

# create BASE: "$REDIS_CLI" --cluster create over BASE..BASE+2, then wait for
# cluster_state:ok everywhere.
create() {
	local base=$1 addrs=()
	for ((i = 0; i < NODES; i++)); do
		addrs+=("127.0.0.1:$((base + i))")
	done
	"$REDIS_CLI" --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$work/create-$base.log" 2>&1 ||
		{ cat "$work/create-$base.log" >&2; exit 1; }
	wait_cluster_ok "$base" "$NODES"
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
