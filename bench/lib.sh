# Shared plumbing of the bench/*.sh scripts, sourced by them: a work
# directory, the PIDs of every process a script starts (all stopped on exit,
# Ctrl-C included), free loopback ports, readiness and memory readings.
# Scripts set REDIS_CLI before sourcing and call bench_init NAME.

# bench_init creates WORK (removed on exit) and PIDS, and installs the
# trap that stops every process in PIDS.
bench_init() {
	ROOT=$(cd "$(dirname "$0")/.." && pwd)
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/shoal-$1.XXXXXX")
	PIDS=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	rm -rf "$WORK"
}

log() { printf '# %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# free_port prints a loopback TCP port nobody uses, below the kernel's
# ephemeral range (so no client connection can be holding it either).
free_port() {
	local p lo
	lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range)
	while :; do
		p=$((10000 + RANDOM % (lo - 10000)))
		if ! ss -Htan "sport = :$p" | grep -q .; then
			echo "$p"
			return
		fi
	done
}

# wait_ready waits until the server we started (pid) answers PING on port.
wait_ready() { # port pid
	local i
	for i in $(seq 1 200); do
		if ! kill -0 "$2" 2>/dev/null; then
			log "server on port $1 died"
			return 1
		fi
		if [ "$("$REDIS_CLI" -p "$1" ping 2>/dev/null)" = PONG ]; then
			return 0
		fi
		sleep 0.05
	done
	log "server on port $1 did not answer PING"
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# settled_rss_kb waits until RSS stops moving (two readings 0.5s apart
# within 1%, at most 10s) so that neither server is caught mid-growth.
settled_rss_kb() {
	local prev cur i
	prev=$(rss_kb "$1")
	cur=$prev
	for i in $(seq 1 20); do
		sleep 0.5
		cur=$(rss_kb "$1")
		if [ $((cur > prev ? cur - prev : prev - cur)) -le $((prev / 100)) ]; then
			break
		fi
		prev=$cur
	done
	echo "$cur"
}

# wait_mine waits until the server we started (pid) answers on port, and
# checks that the process answering is that pid (INFO process_id), so
# nothing below ever flushes or loads a server someone else started.
wait_mine() { # port pid
	local i got
	for i in $(seq 1 200); do
		kill -0 "$2" 2>/dev/null || die "server on port $1 (pid $2) died; see $WORK"
		if [ "$("$REDIS_CLI" -p "$1" ping 2>/dev/null)" = PONG ]; then
			got=$("$REDIS_CLI" -p "$1" info server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }')
			[ "$got" = "$2" ] || die "port $1 is answered by pid '$got', not by our pid $2"
			return 0
		fi
		sleep 0.05
	done
	die "server on port $1 did not answer PING"
}

# build_shoal sets BIN: SHOAL_BIN when given, else a fresh build of
# cmd/shoal-server in WORK.
build_shoal() {
	if [ -n "${SHOAL_BIN:-}" ]; then
		BIN=$SHOAL_BIN
	else
		log "building cmd/shoal-server"
		BIN=$WORK/shoal-server
		(cd "$ROOT" && go build -o "$BIN" ./cmd/shoal-server)
	fi
}

# start_pair starts redis-server (RPORT, RPID) and shoal-server (SPORT,
# SPID) on free loopback ports, with SHOAL_ENV and SHOAL_ARGS, and waits
# until each answers as the process we started.
start_pair() {
	RPORT=$(free_port)
	SPORT=$(free_port)
	while [ "$SPORT" = "$RPORT" ]; do SPORT=$(free_port); done

	"$REDIS_SERVER" --bind 127.0.0.1 --port "$RPORT" --save '' --appendonly no \
		--dir "$WORK" --logfile "$WORK/redis.log" &
	RPID=$!
	PIDS+=("$RPID")
	# shellcheck disable=SC2086
	env $SHOAL_ENV "$BIN" --bind 127.0.0.1 --port "$SPORT" $SHOAL_ARGS 2>"$WORK/shoal.log" &
	SPID=$!
	PIDS+=("$SPID")
	wait_mine "$RPORT" "$RPID"
	wait_mine "$SPORT" "$SPID"
	log "redis-server pid $RPID port $RPORT; shoal-server pid $SPID port $SPORT (${SHOAL_ENV:-default env})"
}

# wait_cluster_ok waits until ports BASE..BASE+N-1 all report
# cluster_state:ok.
wait_cluster_ok() { # base n
	local t i ok
	for ((t = 0; t < 300; t++)); do
		ok=0
		for ((i = 0; i < $2; i++)); do
			"$REDIS_CLI" -p $(($1 + i)) CLUSTER INFO | grep -q '^cluster_state:ok' && ok=$((ok + 1))
		done
		[ "$ok" -eq "$2" ] && return 0
		sleep 0.1
	done
	die "cluster on $1 did not reach cluster_state:ok"
}
