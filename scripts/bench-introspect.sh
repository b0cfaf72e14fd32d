#!/usr/bin/env bash
# bench-introspect.sh [RUNS] [CONNS] [DURATION]: what the live picture costs
# a busy server. examples/echo runs with -debug-addr; internal/bench/holdconns
# holds CONNS (default 10000) idle connections open on it, and loadgen
# (../shared/bench) measures 64-byte round trips on 100 more for DURATION
# (default 10s), RUNS times (default 3) without and with a loop that takes
# a snapshot of all the connections every INTERVAL (default 1s:
# snapshot.json, as the page polls it), alternating, in one server
# process. Prints loadgen's JSON line per run, the snapshots' own
# duration, and the median p50 and p99 latency of each kind with their
# ratio: the picture must not raise p99 by more than 10 %.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH:-$root/../shared/bench}
RUNS=${1:-3}
CONNS=${2:-10000}
DURATION=${3:-10s}
INTERVAL=${INTERVAL:-1s}
bin=$(mktemp -d)
cleanup() {
	[[ -n ${loop:-} ]] && kill "$loop" 2>/dev/null || true
	[[ -n ${hold:-} ]] && kill "$hold" 2>/dev/null || true
	[[ -n ${pid:-} ]] && kill "$pid" 2>/dev/null || true
	rm -rf "$bin"
}
trap cleanup EXIT
(cd "$bench" && GOFLAGS=-mod=mod go build -o "$bin/" ./cmd/loadgen ./cmd/waitquiet)
(cd "$root" && go build -o "$bin/echo" ./examples/echo && go build -o "$bin/holdconns" ./internal/bench/holdconns &&
	go build -o "$bin/snaploop" ./internal/bench/snaploop)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 12000))
	debug=$((port + 1))
	"$bin/echo" -addr "127.0.0.1:$port" -debug-addr "127.0.0.1:$debug" >/dev/null 2>&1 &
	pid=$!
	up=
	for _ in $(seq 100); do
		if curl -sf -o /dev/null "http://127.0.0.1:$debug/debug/kamgen/snapshot.json"; then up=1; break; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[[ -n $up ]] && break
	kill "$pid" 2>/dev/null || true
	pid=
done
[[ -n ${pid:-} ]] || { echo "bench-introspect: could not start examples/echo" >&2; exit 1; }

"$bin/holdconns" -addr "127.0.0.1:$port" -conns "$CONNS" >"$bin/hold" &
hold=$!
for _ in $(seq 1200); do
	grep -q holding "$bin/hold" && break
	kill -0 "$hold" 2>/dev/null || { echo "bench-introspect: holdconns failed" >&2; exit 1; }
	sleep 0.1
done
cat "$bin/hold"

for run in $(seq "$RUNS"); do
	for kind in without with; do
		loop=
		# The machine is shared: wait (up to 30 s) for the others to quiet.
		"$bin/waitquiet" -below 30 -for 2s -max 30s >/dev/null 2>&1 || true
		if [[ $kind == with ]]; then
			"$bin/snaploop" -url "http://127.0.0.1:$debug/debug/kamgen/snapshot.json" -every "$INTERVAL" \
				-min-conns "$CONNS" >>"$bin/took" &
			loop=$!
		fi
		"$bin/loadgen" -addr "127.0.0.1:$port" -conns 100 -size 64 -pipeline 1 \
			-duration "$DURATION" -timeout 120s -server-pid "$pid" -label "$kind snapshots, run $run" |
			tee -a "$bin/$kind"
		if [[ -n $loop ]]; then
			kill "$loop"
			wait "$loop" 2>/dev/null || true
			loop=
		fi
	done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "snapshots every $INTERVAL at $CONNS connections and more, per run:"
cat "$bin/took"
for q in p50 p99; do
	w=$(jq -r ".lat_${q}_us" "$bin/without" | median)
	s=$(jq -r ".lat_${q}_us" "$bin/with" | median)
	echo "$q latency, median of $RUNS runs: without snapshots $w µs, with $s µs, ratio $(awk -v a="$s" -v b="$w" 'BEGIN {printf "%.3f", a/b}')"
done
