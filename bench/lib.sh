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
