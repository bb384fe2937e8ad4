#!/usr/bin/env bash
# The migration experiment (issue 7's benchmark, issue 8's experiment):
# builds shoal-server and runs bench/migration, which starts four Shoal
# nodes on loopback, loads SIZE of VALUE-byte values into three primaries,
# then moves a quarter of the slots to the fourth and back, with atomic
# slot migration and with redis-cli --cluster rebalance (legacy), without
# load and under a 1:10 set:get load. It prints a markdown table and
# writes charts under bench/results/migration-*/.
#
# Environment: SIZE (default 1g), VALUE (16384), LOAD (true), LEGACY (true),
# WARM (2g: memory touched and freed before each event, see warmMemory in
# bench/migration/nodes.go).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi
command -v redis-cli >/dev/null || { echo "redis-cli not found (apt-get install -y redis-tools)" >&2; exit 1; }
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/shoal-server" ./cmd/shoal-server
go run ./bench/migration -server "$bin/shoal-server" -size "${SIZE:-1g}" -value "${VALUE:-16384}" \
	-load="${LOAD:-true}" -legacy="${LEGACY:-true}" -warm "${WARM:-2g}" "$@"
