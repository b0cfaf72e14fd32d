#!/usr/bin/env bash
# bench-close.sh [RUNS] [CONNS]: a mass disconnect. internal/bench/massclose
# opens CONNS (default 19000: the descriptor limit here is 20,000) idle
# connections to each server, closes them all at once and reports how long
# the server takes to release their descriptors and how fast a new client
# is answered meanwhile: stdecho (../shared/bench) and examples/echo on
# both Selectors, one JSON line each, in the same run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH:-$root/../shared/bench}
RUNS=${1:-3}
CONNS=${2:-19000}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$bench" && GOFLAGS=-mod=mod go build -o "$bin/" ./cmd/stdecho)
(cd "$root" && go build -o "$bin/echo" ./examples/echo && go build -o "$bin/massclose" ./internal/bench/massclose)

# start SERVER LABEL: start the server on a free port below the ephemeral
# range; sets pid and port.
start() {
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 12000))
		"$@" -addr "127.0.0.1:$port" >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null || true
	done
	echo "bench-close: could not start $*" >&2
	return 1
}

for run in $(seq "$RUNS"); do
	for srv in stdecho echo echo-portable; do
		case $srv in
		stdecho) start "$bin/stdecho" ;;
		echo) start "$bin/echo" ;;
		echo-portable) KAMGEN_POLLER=portable start "$bin/echo" ;;
		esac
		"$bin/massclose" -addr "127.0.0.1:$port" -pid "$pid" -conns "$CONNS" -label "$srv run $run" -timeout 120s || true
		kill "$pid"
		wait "$pid" 2>/dev/null || true
	done
done
