#!/usr/bin/env bash
# bench-conns.sh [RUNS] [CONNS] [CYCLES]: connections coming and going, on
# stdecho (../shared/bench) and examples/echo on both Selectors, in the same
# run, one JSON line each:
#   - a mass close: internal/bench/massclose opens CONNS (default 19000: the
#     descriptor limit here is 20,000) idle connections, closes them all at
#     once and reports how long the server takes to release their
#     descriptors and how fast a new client is answered meanwhile;
#   - a churn: internal/bench/churn runs CYCLES (default 40000)
#     connect/echo/close cycles, 128 at a time, a quarter of them reset
#     mid-send, and reports cycles/s, p50/p99/max and the server's RSS,
#     threads and descriptors before and after.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH:-$root/../shared/bench}
RUNS=${1:-3}
CONNS=${2:-19000}
CYCLES=${3:-40000}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$bench" && GOFLAGS=-mod=mod go build -o "$bin/" ./cmd/stdecho)
(cd "$root" && go build -o "$bin/echo" ./examples/echo && go build -o "$bin/massclose" ./internal/bench/massclose && go build -o "$bin/churn" ./internal/bench/churn)

# start [-debug] SERVER...: start the server on a free port below the
# ephemeral range; sets pid and port. With -debug (a kamgen example), the
# server serves Go's profiles on the next port, debug, so that its
# goroutines can be counted.
start() {
	local withdebug= extra=()
	if [[ $1 == -debug ]]; then
		withdebug=1
		shift
	fi
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 12000))
		debug=$((port + 1))
		[[ -n $withdebug ]] && extra=(-debug-addr "127.0.0.1:$debug")
		"$@" "${extra[@]}" -addr "127.0.0.1:$port" >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null || true
	done
	echo "bench-conns: could not start $*" >&2
	return 1
}

# each [-debug] COMMAND...: for each run and server, start the server and
# run the command against it (@SRV@ in it is the server's name); with
# -debug, the command is given the kamgen servers' -debug-addr too.
each() {
	local withdebug=
	if [[ $1 == -debug ]]; then
		withdebug=1
		shift
	fi
	for run in $(seq "$RUNS"); do
		for srv in stdecho echo echo-portable; do
			dbg=()
			case $srv in
			stdecho) start "$bin/stdecho" ;;
			echo) start -debug "$bin/echo" ;;
			echo-portable) KAMGEN_POLLER=portable start -debug "$bin/echo" ;;
			esac
			[[ -n $withdebug && $srv != stdecho ]] && dbg=(-debug-addr "127.0.0.1:$debug")
			"${@//@SRV@/$srv}" "${dbg[@]}" -addr "127.0.0.1:$port" -pid "$pid" -label "$srv run $run" || true
			kill "$pid"
			wait "$pid" 2>/dev/null || true
		done
	done
}

each "$bin/massclose" -conns "$CONNS" -timeout 120s -latencies "$bin/lat.@SRV@"
# The new client's latency over every round, pooled: one round has 60-odd
# probes, whose p99 is their slowest.
for srv in stdecho echo echo-portable; do
	python3 - "$srv" "$bin/lat.$srv" <<'PY'
import json, sys
v = sorted(float(x) for x in open(sys.argv[2]))
q = lambda p: v[min(len(v) - 1, int(len(v) * p))]
print(json.dumps({"label": sys.argv[1] + " pooled", "probes": len(v), "probe_p50_ms": q(.5), "probe_p90_ms": q(.9), "probe_p99_ms": q(.99), "probe_max_ms": v[-1]}))
PY
done
each -debug "$bin/churn" -cycles "$CYCLES"
