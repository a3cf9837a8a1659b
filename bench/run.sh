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
source bench/stack.sh
start_stack "$bin" "$(mktemp -d /tmp/sluice-bench.XXXXXX)"
bootstrap=$BOOTSTRAP
coordinator=$COORDINATOR
results="$STACK_DIR/results.jsonl"
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
