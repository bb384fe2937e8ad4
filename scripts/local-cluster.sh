#!/usr/bin/env bash
# Starts a local Shoal cluster on loopback and keeps it running until
# Ctrl-C: NODES primaries (default 3) on ports PORT, PORT+1, ... (default
# 7000), each with its own directory under DIR (default .local-cluster),
# joined with CLUSTER MEET and given equal slot ranges with CLUSTER
# ADDSLOTSRANGE. Every node is stopped by its PID on exit.
#
# It needs only Go and bash (commands are sent over /dev/tcp), so it works
# without redis-cli; with redis-cli, connect with `redis-cli -c -p 7000`.
#
# Environment: NODES, PORT, DIR, NODE_TIMEOUT (cluster-node-timeout, ms),
# BIN (where to build shoal-server, default bin/shoal-server).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
NODES="${NODES:-3}"
PORT="${PORT:-7000}"
DIR="${DIR:-.local-cluster}"
NODE_TIMEOUT="${NODE_TIMEOUT:-5000}"
BIN="${BIN:-bin/shoal-server}"

log() { printf '==> %s\n' "$*" >&2; }

if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi

pids=()
cleanup() {
	trap - EXIT INT TERM
	if [ "${#pids[@]}" -gt 0 ]; then
		log "stopping ${#pids[@]} nodes (pids ${pids[*]})"
		kill "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# resp PORT ARG... sends one command and prints its reply (simple strings,
# integers and bulk strings; an error reply is printed to stderr and fails).
resp() {
	local port=$1 fd line n body
	shift
	# The group keeps the 2> from applying to the whole script, as a bare
	# "exec ... 2>/dev/null" would.
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
	{
		printf '*%d\r\n' "$#"
		for a in "$@"; do printf '$%d\r\n%s\r\n' "${#a}" "$a"; done
	} >&"$fd"
	IFS= read -r -t 5 line <&"$fd" || { exec {fd}>&-; return 1; }
	line=${line%$'\r'}
	case $line in
	\$-1) ;;
	\$*)
		n=${line#\$}
		IFS= read -r -t 5 -N $((n + 2)) body <&"$fd" || true
		printf '%s\n' "${body%$'\r\n'}"
		;;
	-*) exec {fd}>&-; printf '%s\n' "${line#-}" >&2; return 1 ;;
	*) printf '%s\n' "${line:1}" ;;
	esac
	exec {fd}>&-
}

log "building $BIN"
go build -o "$BIN" ./cmd/shoal-server

ports=()
for ((i = 0; i < NODES; i++)); do
	port=$((PORT + i))
	ports+=("$port")
	if resp "$port" PING >/dev/null 2>&1; then
		log "port $port is already in use; stop what runs there or set PORT"
		exit 1
	fi
	dir="$DIR/$port"
	mkdir -p "$dir"
	rm -f "$dir/nodes.conf" # a fresh cluster every time
	"$BIN" --bind 127.0.0.1 --port "$port" --cluster-enabled yes --cluster-node-timeout "$NODE_TIMEOUT" \
		--dir "$dir" --logfile "$dir/shoal.log" &
	pids+=("$!")
done

for port in "${ports[@]}"; do
	for ((t = 0; t < 100; t++)); do
		resp "$port" PING >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! resp "$port" PING >/dev/null 2>&1; then
		log "node $port did not start; see $DIR/$port/shoal.log"
		exit 1
	fi
done

log "joining ${NODES} primaries"
for port in "${ports[@]:1}"; do
	resp "${ports[0]}" CLUSTER MEET 127.0.0.1 "$port" >/dev/null
done
per=$((16384 / NODES))
for ((i = 0; i < NODES; i++)); do
	start=$((i * per))
	end=$(((i + 1) * per - 1))
	[ "$i" -eq $((NODES - 1)) ] && end=16383
	resp "${ports[$i]}" CLUSTER ADDSLOTSRANGE "$start" "$end" >/dev/null
done

for ((t = 0; t < 300; t++)); do
	ok=0
	for port in "${ports[@]}"; do
		if resp "$port" CLUSTER INFO 2>/dev/null | grep -q '^cluster_state:ok'; then
			ok=$((ok + 1))
		fi
	done
	[ "$ok" -eq "$NODES" ] && break
	sleep 0.1
done
if [ "$ok" -ne "$NODES" ]; then
	log "the cluster did not reach cluster_state:ok; logs are in $DIR/*/shoal.log"
	exit 1
fi

cat <<EOF

Shoal cluster ready: ${NODES} primaries on 127.0.0.1:${ports[0]}-${ports[$((NODES - 1))]}
  connect:  redis-cli -c -p ${ports[0]}
  inspect:  redis-cli -p ${ports[0]} cluster nodes
  logs:     $DIR/<port>/shoal.log
Press Ctrl-C to stop.

EOF

# Wait until Ctrl-C, or until a node exits on its own.
set +e
wait -n "${pids[@]}"
log "a node exited; stopping the cluster"
exit 1
