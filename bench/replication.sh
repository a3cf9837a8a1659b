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
source bench/stack.sh
start_stack "$bin" "$(mktemp -d /tmp/sluice-bench.XXXXXX)" --partition-servers 3
bootstrap=$BOOTSTRAP
coordinator=$COORDINATOR
results="$STACK_DIR/results.jsonl"
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
