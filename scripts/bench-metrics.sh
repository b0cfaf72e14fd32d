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
rate() { sed -n 's/.*"msgs_per_s": *\([0-9.e+]*\).*/\1/p' | head -1; }
ratios=()
for run in $(seq "$RUNS"); do
	order=(off on)
	((run % 2 == 0)) && order=(on off)
	declare -A got=()
	for mode in "${order[@]}"; do
		echo "# $profile run $run metrics $mode" >&2
		line=$(LABEL="metrics-$mode" "$bench/run-echo.sh" "$profile" "$bin/metrics-$mode")
		echo "$line" >>"$out"
		got[$mode]=$(rate <<<"$line")
	done
	ratio=$(awk -v on="${got[on]}" -v off="${got[off]}" 'BEGIN { printf "%.4f", on / off }')
	ratios+=("$ratio")
	printf '%s run %d: off %.0f msgs/s, on %.0f msgs/s, on/off %s\n' "$profile" "$run" "${got[off]}" "${got[on]}" "$ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2; printf "median on/off over %d runs: %.4f (min %.4f, max %.4f)\n", NR, m, r[1], r[NR] }'
if [[ ${SKIP_MEM:-0} != 1 ]]; then
	for mode in off on; do
		echo "# idle memory, metrics $mode" >&2
		line=$(LABEL="metrics-$mode" PING=1 CONNS=${CONNS:-10000} "$bench/run-idlemem.sh" "$bin/metrics-$mode")
		echo "$line" >>"$out"
		printf 'idle memory, metrics %s: %s KiB per connection\n' "$mode" "$(sed -n 's/.*"kib_per_conn": *\([0-9.]*\).*/\1/p' <<<"$line")"
	done
fi
echo "raw lines: $out" >&2
