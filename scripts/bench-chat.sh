#!/usr/bin/env bash
# bench-chat.sh [RUNS]: examples/chat against the same chat written the
# plain Go way (examples/chat/plain), interleaved in one run: for each of
# RUNS (default 3) rounds and each server (the order alternates from round
# to round), a fresh server on a free loopback port, and
#
#   chatload -clients $CLIENTS -rate $RATE -duration $DURATION -warmup $WARMUP
#
# against it (internal/bench/chatload: every client says RATE lines a
# second, each line goes to every other client). It prints chatload's JSON
# line for each, then the median p50 and p99 delivery latency and server
# CPU time per delivered line of each server, and the ratios kamgen/plain.
# Environment: CLIENTS (default 1000), RATE (1), DURATION (20s), WARMUP
# (3s), OUT (a file for the JSON lines). With the defaults it takes about
# 2.5 minutes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-3}
CLIENTS=${CLIENTS:-1000}
RATE=${RATE:-1}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
bin=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$bin"
}
trap cleanup EXIT
(cd "$root" && go build -o "$bin/kamgen" ./examples/chat && go build -o "$bin/plain" ./examples/chat/plain &&
	go build -o "$bin/chatload" ./internal/bench/chatload)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start SERVER: start the server on a free loopback port, its log in
# $bin/SERVER.log; sets pid and port.
start() {
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		"$1" -addr "127.0.0.1:$port" >>"$1.log" 2>&1 &
		pid=$!
		for _ in $(seq 100); do
			(echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	pid=
	echo "bench-chat: could not start $1" >&2
	return 1
}

out=${OUT:-$bin/chat.jsonl}
: >"$out"
for run in $(seq "$RUNS"); do
	servers=(kamgen plain)
	((run % 2 == 0)) && servers=(plain kamgen)
	for srv in "${servers[@]}"; do
		start "$bin/$srv"
		timeout 10m "$bin/chatload" -addr "127.0.0.1:$port" -pid "$pid" -clients "$CLIENTS" -rate "$RATE" \
			-duration "$DURATION" -warmup "$WARMUP" -label "$srv run $run" | tee -a "$out" || true
		kill "$pid"
		wait "$pid" 2>/dev/null || true
		pid=
	done
done
python3 - "$out" <<'PY'
import sys, json, statistics, collections
v = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r = json.loads(line)
    v[r["label"].split()[0]].append(r)
if not v:
    sys.exit("bench-chat: no results")
cols = [("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("cpu_us_per_delivered_line", "server CPU µs/line"),
        ("server_cpu_percent", "server CPU %"), ("delivered_ratio", "delivered/expected"), ("errors", "errors")]
med = {(s, k): statistics.median(r[k] for r in rs) for s, rs in v.items() for k, _ in cols}
print("| | " + " | ".join(h for _, h in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for s in ("kamgen", "plain"):
    if s in v:
        print(f"| {s} | " + " | ".join(f"{med[(s, k)]:g}" for k, _ in cols) + " |")
def ratio(k):
    kam, p = med.get(("kamgen", k), 0), med.get(("plain", k), 0)
    return f"{kam / p:.2f}" if kam and p else "n/a"  # n/a: a server delivered nothing
if "kamgen" in v and "plain" in v:
    print("| kamgen/plain | " + " | ".join(ratio(k) for k, _ in cols[:4]) + " | | |")
rs = next(iter(v.values()))
r = rs[0]
print(f"\nmedians of {len(rs)} runs; {r['clients']} clients saying {r['rate']:g} lines/s each, "
      f"{r['duration_s']:g} s measured: {r['clients'] * (r['clients'] - 1) * r['rate']:,.0f} deliveries/s expected")
PY
