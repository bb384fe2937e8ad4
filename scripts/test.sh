#!/usr/bin/env bash
# Runs every check the project gates on: installs the external tools the
# tests need when they are missing, then go vet, gofmt, and the race-enabled
# test suite. Exits non-zero on the first failing stage.
#
# Environment:
#   CI=true          missing tools make the tests fail instead of skip
#   GO_TEST_FLAGS    extra flags for go test (e.g. "-run TestDifferential -v")
#   TEST_TIMEOUT     go test -timeout (default 20m)
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

# run_root runs a command as root, through sudo when we are not root.
run_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		log "need root to run: $*"
		return 1
	fi
}

install_tools() {
	local missing=()
	command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
	if ! command -v redis-cli >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
		missing+=(redis-tools)
	fi
	if [ "${#missing[@]}" -eq 0 ]; then
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		log "missing ${missing[*]} and no apt-get; the tests that need them will skip (or fail under CI=true)"
		return 0
	fi
	log "installing ${missing[*]}"
	run_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	run_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	# The Debian package starts a system redis-server on 6379; the tests
	# never use it (they start their own on free ports), so it may stay.
}

if [ -x /usr/local/go/bin/go ] && ! command -v go >/dev/null 2>&1; then
	export PATH="/usr/local/go/bin:$PATH"
fi

# A failed installation is not fatal here: the tests that need the tools
# skip with a message, and fail under CI=true.
install_tools || log "could not install redis-server/redis-tools; continuing"

log "go vet ./..."
go vet ./...

log "gofmt -l"
unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
	log "gofmt needed on:"
	printf '%s\n' "$unformatted" >&2
	exit 1
fi

log "go test -race ./..."
# shellcheck disable=SC2086
go test -race -count=1 -timeout "${TEST_TIMEOUT:-20m}" ${GO_TEST_FLAGS:-} ./...

log "all checks passed"
