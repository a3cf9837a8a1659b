#!/usr/bin/env bash
# The issue's throughput benchmark: one partition server, 6 partitions,
# 1 KiB records, acks=1, clients on the same machine. Starts its own stack
# with `sluice up` on a free port and a temp data dir, runs `sluice bench`
# and a plain librdkafka client (bench/rdkafka_client_bench.py) RUNS times
# each on fresh topics, and prints every run and the medians as JSON lines.
#
#   bench/run.sh [--runs 3] [--records 1000000] [--build build]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
records=1000000
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--records N] [--build DIR]" >&2; exit 2 ;;
  esac
done
bin="$build/bin"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bootstrap="127.0.0.1:$port"
data=$(mktemp -d /tmp/sluice-bench.XXXXXX)
results="$data/results.jsonl"
log="$data/stack.log"

"$bin/sluice" up --data-dir "$data/stack" --port "$port" --coordinator-port 0 --log-level warn >"$log" 2>&1 &
stack=$!
cleanup() {
  kill -TERM "$stack" 2>/dev/null || true
  wait "$stack" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  grep -q ready "$log" && break
  kill -0 "$stack" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q ready "$log" || { echo "stack did not become ready" >&2; cat "$log" >&2; exit 1; }

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB" >&2
for i in $(seq 1 "$runs"); do
  topic="bench-sluice-$i"
  "$bin/sluice" bench produce --bootstrap-server "$bootstrap" --topic "$topic" --partitions 6 \
    --records "$records" --record-size 1024 --acks 1 --json | sed 's/^/{"tool":"sluice bench produce","run":'"$i"',"result":/; s/$/}/' >>"$results"
  "$bin/sluice" bench consume --bootstrap-server "$bootstrap" --topic "$topic" --records "$records" --json \
    | sed 's/^/{"tool":"sluice bench consume","run":'"$i"',"result":/; s/$/}/' >>"$results"
done
for i in $(seq 1 "$runs"); do
  topic="bench-rdkafka-$i"
  "$bin/sluice" topics create "$topic" --bootstrap-server "$bootstrap" --partitions 6 >/dev/null
  /usr/bin/python3 bench/rdkafka_client_bench.py --bootstrap-server "$bootstrap" --topic "$topic" \
    --records "$records" --record-size 1024 --acks 1 | sed 's/^/{"tool":"confluent-kafka","run":'"$i"',"result":/; s/$/}/' >>"$results"
done
cat "$results"
/usr/bin/python3 bench/medians.py "$results"
