#!/usr/bin/env bash
# bench-resp.sh [RUNS]: examples/resp against the same server written the
# plain Go way (examples/resp/plain) and against redis-server itself, with
# the real redis-benchmark, interleaved in one run: for each of RUNS rounds,
# each pipelining depth and each server,
#
#   redis-benchmark -t ping,set,get,incr -n $N -c 50 -P $P -q --csv
#
# It prints the median requests per second of each test and the ratios
# kamgen/plain and kamgen/redis-server. redis-tools and redis-server are
# installed with apt-get when missing. Environment: N (default 200000),
# DEPTHS (default "16 1"), CPUS (taskset list for the servers, e.g. 0;
# default: none), CLIENT_CPUS (taskset list for redis-benchmark, e.g. 1;
# default: none), OUT (the raw CSV lines). With CPUS=0 CLIENT_CPUS=1 each
# server has one CPU, as redis-server uses one (Go's GOMAXPROCS follows
# the CPUs a process may use), and the load generator the other.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
N=${N:-200000}
read -r -a depths <<<"${DEPTHS:-16 1}"
if ! command -v redis-benchmark >/dev/null || ! command -v redis-server >/dev/null; then
	echo "installing redis-tools and redis-server" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q redis-tools redis-server >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q redis-tools redis-server >/dev/null; }
fi
bin=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$bin"
}
trap cleanup EXIT
(cd "$root" && go build -o "$bin/kamgen" ./examples/resp && go build -o "$bin/plain" ./examples/resp/plain)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pin=()
[[ -n ${CPUS:-} ]] && pin=(taskset -c "$CPUS")
cpin=()
[[ -n ${CLIENT_CPUS:-} ]] && cpin=(taskset -c "$CLIENT_CPUS")
declare -A port
port[kamgen]=$(free_port)
"${pin[@]}" "$bin/kamgen" -addr "127.0.0.1:${port[kamgen]}" 2>/dev/null &
pids+=($!)
port[plain]=$(free_port)
"${pin[@]}" "$bin/plain" -addr "127.0.0.1:${port[plain]}" 2>/dev/null &
pids+=($!)
port[redis]=$(free_port)
"${pin[@]}" redis-server --port "${port[redis]}" --bind 127.0.0.1 --save '' --appendonly no --dir "$bin" >/dev/null &
pids+=($!)
for s in kamgen plain redis; do
	for _ in $(seq 100); do redis-cli -p "${port[$s]}" ping >/dev/null 2>&1 && break; sleep 0.05; done
done
out=${OUT:-$bin/resp.csv}
: >"$out"
for run in $(seq "$RUNS"); do
	for depth in "${depths[@]}"; do
		for s in kamgen plain redis; do
			echo "# run $run -P $depth $s" >&2
			"${cpin[@]}" redis-benchmark -h 127.0.0.1 -p "${port[$s]}" -t ping,set,get,incr -n "$N" -c 50 -P "$depth" -q --csv |
				sed -n 's/^"\([A-Z_]*\)","\([0-9.]*\)".*/\1 \2/p' |
				while read -r test rps; do echo "$s $depth $test $rps"; done >>"$out"
		done
	done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    s, depth, test, rps = line.split()
    v[(s, int(depth), test)].append(float(rps))
med = {k: statistics.median(x) for k, x in v.items()}
print("| -P | test | kamgen | plain | redis-server | kamgen/plain | kamgen/redis-server |")
print("|---|---|---|---|---|---|---|")
for depth in sorted({k[1] for k in med}, reverse=True):
    for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"]:
        if (("kamgen", depth, test)) not in med:
            continue
        k, p, r = (med.get((s, depth, test), 0) for s in ("kamgen", "plain", "redis"))
        print(f"| {depth} | {test} | {k:,.0f} | {p:,.0f} | {r:,.0f} | {k/p:.2f} | {k/r:.2f} |")
print(f"\nmedians of {len(next(iter(v.values())))} runs, requests per second")
PY
