#!/usr/bin/env bash
# Consumer-group figures (bench/groups_bench.py): failover after a member's
# SIGKILL, rebalance of 10 members on 100 partitions, commits per second
# through one group coordinator. One stack (one partition server, one group
# coordinator, __consumer_offsets with replication factor 1), the initial
# rebalance delay set to 0 so it does not hide the rebalance itself. RUNS
# runs on fresh topics and groups; prints every run and the medians as JSON lines.
#
#   bench/groups.sh [--runs 3] [--committers 8] [--seconds 10] [--build build]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
committers=8
seconds=10
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --committers) committers=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--committers N] [--seconds S] [--build DIR]" >&2; exit 2 ;;
  esac
done
bin="$build/bin"
source bench/stack.sh
start_stack "$bin" "$(mktemp -d /tmp/sluice-bench.XXXXXX)" --group-initial-rebalance-delay-ms 0
results="$STACK_DIR/results.jsonl"
for i in $(seq 1 "$runs"); do
  /usr/bin/python3 bench/groups_bench.py "$BOOTSTRAP" --committers "$committers" --seconds "$seconds" --tag "run$i" \
    2>/dev/null | sed 's/^/{"tool":"groups","run":'"$i"',"result":/; s/$/}/' >>"$results"
done
cat "$results"
/usr/bin/python3 bench/medians.py "$results"
