#!/usr/bin/env bash
# bench-resp.sh [RUNS]: examples/resp against the same server written the
# plain Go way (examples/resp/plain) and against redis-server itself, with
# the real redis-benchmark, interleaved in one run: for each of RUNS rounds,
# each pipelining depth and each test, each server in turn (the order
# rotates from round to round), so that the figures compared are taken
# seconds apart:
#
#   redis-benchmark -t $TEST -n $N -c 50 -P $P -q --csv
#
# for TEST in ping (PING_INLINE and PING_MBULK), set, get and incr. It
# prints the median requests per second of each test, and the ratios
# kamgen/plain and kamgen/redis-server: the median of the rounds' own
# ratios, with the lowest and highest. redis-tools and redis-server are
# installed with apt-get when missing. Environment: N (default 200000),
# DEPTHS (default "16 1"), CPUS (taskset list for the servers, e.g. 0;
# default: none), CLIENT_CPUS (taskset list for redis-benchmark, e.g. 1;
# default: none), OUT (the raw lines: server, depth, test, requests per
# second, round, the server's CPU µs a request, redis-benchmark's busy %),
# BENCH_TIMEOUT (seconds one redis-benchmark may take; default 300).
# It also prints each server's CPU time a request, which the load on a
# shared machine moves far less than the requests a second, and how busy
# redis-benchmark (single-threaded) was against each server: near 100 %
# of its CPU, the figure is the load generator's ceiling, not the
# server's. With CPUS=0 CLIENT_CPUS=1 each server has one CPU, as
# redis-server uses one (Go's GOMAXPROCS follows the CPUs a process may
# use), and the load generator the other.
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
declare -A pid # each server's process
cleanup() {
	for p in "${pid[@]}"; do kill "$p" 2>/dev/null || true; done
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
for s in kamgen plain; do
	port[$s]=$(free_port)
	"${pin[@]}" "$bin/$s" -addr "127.0.0.1:${port[$s]}" 2>/dev/null &
	pid[$s]=$!
done
port[redis]=$(free_port)
"${pin[@]}" redis-server --port "${port[redis]}" --bind 127.0.0.1 --save '' --appendonly no --dir "$bin" >/dev/null &
pid[redis]=$!
# cpu PID: the CPU time the process's threads have had, in nanoseconds
# (%.0f: mawk's %d stops at 2^31).
cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{t += $1} END {printf "%.0f", t}'; }
for s in kamgen plain redis; do
	for _ in $(seq 100); do redis-cli -p "${port[$s]}" ping >/dev/null 2>&1 && break; sleep 0.05; done
done
out=${OUT:-$bin/resp.csv}
TIMEFORMAT='%U %S %R' # user, system and real seconds, for "time"
# A redis-benchmark whose server has gone retries for ever, spinning: it is
# stopped, and the script with it, after BENCH_TIMEOUT.
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
: >"$out"
servers=(kamgen plain redis)
for run in $(seq "$RUNS"); do
	for depth in "${depths[@]}"; do
		for test in ping set get incr; do
			for i in 0 1 2; do
				s=${servers[$(((i + run) % 3))]}
				echo "# run $run -P $depth $test $s" >&2
				before=$(cpu "${pid[$s]}")
				took=$({ time "${cpin[@]}" timeout "$BENCH_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "${port[$s]}" -t "$test" -n "$N" -c 50 -P "$depth" -q --csv >"$bin/bench.out" 2>"$bin/bench.err"; } 2>&1)
				after=$(cpu "${pid[$s]}")
				grep -v "Could not fetch server CONFIG" "$bin/bench.err" >&2 || true
				res=$(sed -n 's/^"\([A-Z_]*\)","\([0-9.]*\)".*/\1 \2/p' "$bin/bench.out")
				tests=$(wc -l <<<"$res")
				# The server's CPU time a request, in microseconds, and how
				# busy redis-benchmark was: its CPU time over the run's, in %.
				us=$(awk -v ns=$((after - before)) -v n=$((N * tests)) 'BEGIN {printf "%.2f", ns / n / 1000}')
				busy=$(awk '{printf "%.0f", 100 * ($1 + $2) / $3}' <<<"$took")
				while read -r name rps; do echo "$s $depth $name $rps $run $us $busy"; done <<<"$res" >>"$out"
			done
		done
	done
done
python3 - "$out" <<'PY'
import sys, statistics, collections
v = collections.defaultdict(dict)
cpu = collections.defaultdict(list)
client = collections.defaultdict(list)
for line in open(sys.argv[1]):
    s, depth, test, rps, run, us, busy = line.split()
    v[(s, int(depth), test)][run] = float(rps)
    cpu[(s, int(depth), test)].append(float(us))
    client[(s, int(depth), test)].append(float(busy))
def ratio(depth, test, a, b):
    x, y = v[(a, depth, test)], v[(b, depth, test)]
    r = sorted(x[k] / y[k] for k in x if k in y and y[k] > 0)
    return f"{statistics.median(r):.2f} ({r[0]:.2f}-{r[-1]:.2f})" if r else "-"
print("| -P | test | kamgen | plain | redis-server | kamgen/plain | kamgen/redis-server | CPU µs a request: kamgen, plain, redis-server | redis-benchmark busy, %: kamgen, plain, redis-server |")
print("|---|---|---|---|---|---|---|---|---|")
for depth in sorted({k[1] for k in v}, reverse=True):
    for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"]:
        if ("kamgen", depth, test) not in v:
            continue
        k, p, r = (statistics.median(v[(s, depth, test)].values()) for s in ("kamgen", "plain", "redis"))
        c = ", ".join(f"{statistics.median(cpu[(s, depth, test)]):.2f}" for s in ("kamgen", "plain", "redis"))
        b = ", ".join(f"{statistics.median(client[(s, depth, test)]):.0f}" for s in ("kamgen", "plain", "redis"))
        print(f"| {depth} | {test} | {k:,.0f} | {p:,.0f} | {r:,.0f} | {ratio(depth, test, 'kamgen', 'plain')} | {ratio(depth, test, 'kamgen', 'redis')} | {c} | {b} |")
rounds = len(next(iter(v.values())))
print(f"\nrequests per second: medians of {rounds} rounds; ratios: the median of the rounds' own ratios (lowest-highest);")
print("CPU: the server's threads' CPU time over the run (/proc/PID/task/*/schedstat) over its requests, medians;")
print("busy: redis-benchmark's own CPU time over the run's time, medians: at 100 it, not the server, sets the figure")
PY
