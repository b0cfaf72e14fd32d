#!/usr/bin/env bash
# bench-metrics.sh [RUNS]: what the runtime's metrics cost. The echo server
# of internal/bench/echometrics (examples/echo's handler and options) runs
# the p2 profile of ../shared/bench with its metrics off and on (gathered
# every second, as a scrape would, far more often than Prometheus does),
# interleaved in the same run: each run measures both, in alternating
# order, so that the machine's noise falls on both alike. It prints each
# pair's msgs/s and their ratio, then the median ratio. Raw JSON lines go
# to $OUT (default bench-results/metrics-<stamp>.jsonl).
#
# Then the idle memory of CONNS connections (default 10000), each having
# echoed 64 B, off and on (SKIP_MEM=1 skips it).
#
# Environment: DURATION (default 5s), PROFILE (default p2), CONNS, SKIP_MEM.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH:-$root/../shared/bench}
RUNS=${1:-5}
export DURATION=${DURATION:-5s}
profile=${PROFILE:-p2}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export BIN=$bin
(cd "$bench" && GOFLAGS=-mod=mod go build -o "$bin/" ./cmd/loadgen ./cmd/portutil ./cmd/waitquiet ./cmd/idlemem)
(cd "$root" && go build -o "$bin/echometrics" ./internal/bench/echometrics)
printf '#!/bin/sh\nexec %s "$@"\n' "$bin/echometrics" >"$bin/metrics-off"
printf '#!/bin/sh\nexec %s -metrics -scrape 1s "$@"\n' "$bin/echometrics" >"$bin/metrics-on"
chmod +x "$bin/metrics-off" "$bin/metrics-on"
mkdir -p "$root/bench-results"
out=${OUT:-$root/bench-results/metrics-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
field() { sed -n "s/.*\"$1\": *\([0-9.e+-]*\).*/\1/p" | head -1; }
# cpu_per_msg LINE: the server's CPU time per message, in microseconds.
cpu_per_msg() {
	awk -v pct="$(field cpu_server_pct <<<"$1")" -v s="$(field seconds <<<"$1")" -v n="$(field msgs <<<"$1")" \
		'BEGIN { printf "%.3f", pct / 100 * s * 1e6 / n }'
}
ratios=()
cpus=()
for run in $(seq "$RUNS"); do
	order=(off on)
	((run % 2 == 0)) && order=(on off)
	declare -A got=() cpu=() other=()
	for mode in "${order[@]}"; do
		echo "# $profile run $run metrics $mode" >&2
		# On a shared machine, wait (up to a minute) for the others to be quiet.
		"$bin/waitquiet" -below "${QUIET_BELOW:-20}" -for 2s -max 60s 2>/dev/null || echo "# not quiet" >&2
		line=$(LABEL="metrics-$mode" "$bench/run-echo.sh" "$profile" "$bin/metrics-$mode")
		echo "$line" >>"$out"
		got[$mode]=$(field msgs_per_s <<<"$line")
		cpu[$mode]=$(cpu_per_msg "$line")
		other[$mode]=$(field cpu_other_pct <<<"$line")
	done
	ratio=$(awk -v on="${got[on]}" -v off="${got[off]}" 'BEGIN { printf "%.4f", on / off }')
	cratio=$(awk -v on="${cpu[on]}" -v off="${cpu[off]}" 'BEGIN { printf "%.4f", on / off }')
	ratios+=("$ratio")
	cpus+=("$cratio")
	printf '%s run %d: off %.0f msgs/s %s us/msg, on %.0f msgs/s %s us/msg (server CPU per message); on/off: msgs/s %s, CPU/msg %s; other processes %.0f%% %.0f%%\n' \
		"$profile" "$run" "${got[off]}" "${cpu[off]}" "${got[on]}" "${cpu[on]}" "$ratio" "$cratio" "${other[off]}" "${other[on]}"
done
median() { sort -n | awk -v what="$1" '{ r[NR] = $1 } END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median on/off %s over %d runs: %.4f (min %.4f, max %.4f)\n", what, NR, m, r[1], r[NR] }'; }
printf '%s\n' "${ratios[@]}" | median msgs/s
printf '%s\n' "${cpus[@]}" | median "server CPU per message"
if [[ ${SKIP_MEM:-0} != 1 ]]; then
	for mode in off on; do
		echo "# idle memory, metrics $mode" >&2
		line=$(LABEL="metrics-$mode" PING=1 CONNS=${CONNS:-10000} "$bench/run-idlemem.sh" "$bin/metrics-$mode")
		echo "$line" >>"$out"
		printf 'idle memory, metrics %s: %s KiB per connection\n' "$mode" "$(sed -n 's/.*"kib_per_conn": *\([0-9.]*\).*/\1/p' <<<"$line")"
	done
fi
echo "raw lines: $out" >&2
