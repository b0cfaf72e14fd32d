#!/usr/bin/env bash
# bench-net.sh [RUNS]: the echo benchmarks of ../shared/bench against
# examples/echo on both Selectors, in the same run as the baselines stdecho
# and gnetecho. Raw JSON lines go to $OUT (default bench-results/<stamp>.jsonl);
# benchtab prints the median tables at the end.
#
# Environment: DURATION (default 5s), PROFILES (default "p1 p2 p3 p4"),
# CONNS (idle memory, default 10000), SKIP_MEM=1, SKIP_PROBES=1.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH:-$root/../shared/bench}
RUNS=${1:-3}
export DURATION=${DURATION:-5s}
export CONNS=${CONNS:-10000}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
export BIN=$bin
(cd "$bench" && GOFLAGS=-mod=mod go build -o "$bin/" ./cmd/...)
(cd "$root" && go build -o "$bin/kamgen-epoll" ./examples/echo)
printf '#!/bin/sh\nKAMGEN_POLLER=portable exec %s "$@"\n' "$bin/kamgen-epoll" >"$bin/kamgen-portable"
chmod +x "$bin/kamgen-portable"
servers=("$bin/stdecho" "$bin/gnetecho" "$bin/kamgen-epoll" "$bin/kamgen-portable")
mkdir -p "$root/bench-results"
out=${OUT:-$root/bench-results/$(date -u +%Y%m%dT%H%M%SZ).jsonl}
read -r -a profiles <<<"${PROFILES:-p1 p2 p3 p4}"
for profile in "${profiles[@]}"; do
	pin=
	[[ $profile == p1 ]] && pin=same
	for run in $(seq "$RUNS"); do
		for srv in "${servers[@]}"; do
			echo "# $profile run $run $(basename "$srv")" >&2
			PIN=$pin "$bench/run-echo.sh" "$profile" "$srv" | tee -a "$out"
		done
	done
done
if [[ ${SKIP_MEM:-0} != 1 ]]; then
	for srv in "${servers[@]}"; do
		echo "# idle memory $(basename "$srv")" >&2
		PING=1 "$bench/run-idlemem.sh" "$srv" | tee -a "$out"
	done
fi
if [[ ${SKIP_PROBES:-0} != 1 ]]; then
	for srv in "${servers[@]}"; do
		for probe in halfclose slowreader; do
			echo "# $probe $(basename "$srv")" >&2
			DURATION=2s "$bench/run-probe.sh" "$probe" "$srv" | tee -a "$out"
		done
		echo "# emfile $(basename "$srv")" >&2
		"$bench/run-emfile.sh" "$srv" | tee -a "$out"
	done
fi
"$bin/benchtab" "$out"
echo "raw lines: $out" >&2
