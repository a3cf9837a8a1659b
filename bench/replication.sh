#!/usr/bin/env bash
# What replication costs: `sluice bench produce` with replication factor 1
# and acks=1 against replication factor 3, min.insync.replicas=2 and
# acks=all, on one stack of three partition servers (6 partitions, 1 KiB
# records, clients on the same machine). RUNS runs each on fresh topics;
# prints every run and the medians as JSON lines.
#
#   bench/replication.sh [--runs 3] [--records 1000000] [--build build]
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

"$bin/sluice" up --data-dir "$data/stack" --port "$port" --coordinator-port 0 --partition-servers 3 \
  --log-level warn >"$log" 2>&1 &
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
  "$bin/sluice" bench produce --bootstrap-server "$bootstrap" --topic "rf1-$i" --partitions 6 \
    --replication-factor 1 --records "$records" --record-size 1024 --acks 1 --json \
    | sed 's/^/{"tool":"RF=1 acks=1","run":'"$i"',"result":/; s/$/}/' >>"$results"
  "$bin/sluice" bench produce --bootstrap-server "$bootstrap" --topic "rf3-$i" --partitions 6 \
    --replication-factor 3 --min-insync-replicas 2 --records "$records" --record-size 1024 --acks all --json \
    | sed 's/^/{"tool":"RF=3 acks=all","run":'"$i"',"result":/; s/$/}/' >>"$results"
done
cat "$results"
/usr/bin/python3 bench/medians.py "$results"
