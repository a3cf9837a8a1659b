#!/usr/bin/env bash
# Time to copy a replica: a one-partition topic holding SIZE_MIB MiB on one
# partition server gets a second replica on another (`sluice reassign`);
# the figure is the time from `reassign execute` until `reassign verify`
# reports it complete (the new replica caught up and joined the ISR).
# RUNS runs on fresh topics; prints each and the median.
#
#   bench/replica_move.sh [--runs 3] [--size-mib 1024] [--build build]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
size_mib=1024
build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --size-mib) size_mib=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--size-mib N] [--build DIR]" >&2; exit 2 ;;
  esac
done
bin="$build/bin"
source bench/stack.sh
start_stack "$bin" "$(mktemp -d /tmp/sluice-bench.XXXXXX)" --partition-servers 2
bootstrap=$BOOTSTRAP
coordinator=$COORDINATOR

times=()
for i in $(seq 1 "$runs"); do
  topic="move-$i"
  "$bin/sluice" topics create "$topic" --bootstrap-server "$bootstrap" --partitions 1 --replication-factor 1 >/dev/null
  "$bin/sluice" bench produce --bootstrap-server "$bootstrap" --topic "$topic" --records $((size_mib * 1024)) \
    --record-size 1024 --acks 1 --json >/dev/null
  placement=$("$bin/sluice" topics describe "$topic" --json --bootstrap-server "$bootstrap" --coordinator "$coordinator")
  from=$(echo "$placement" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["topics"][0]["partitions"][0]["leader"])')
  # The other partition server: the one that does not lead the topic.
  to=$(/usr/bin/python3 - "$STACK_DIR/stack" "$from" <<'PY'
import os, sys
d, leader = sys.argv[1], int(sys.argv[2])
for name in sorted(os.listdir(d)):
    if name.startswith('partition-server-'):
        node = int(open(os.path.join(d, name, 'identity')).read())
        if node != leader:
            print(node)
            break
PY
)
  plan="$STACK_DIR/plan-$i.json"
  echo "{\"version\":1,\"partitions\":[{\"topic\":\"$topic\",\"partition\":0,\"replicas\":[$from,$to]}]}" >"$plan"
  start=$(date +%s.%N)
  "$bin/sluice" reassign execute --file "$plan" --coordinator "$coordinator" >/dev/null
  until "$bin/sluice" reassign verify --file "$plan" --coordinator "$coordinator" >/dev/null 2>&1; do sleep 0.05; done
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  times+=("$secs")
  printf '{"run":%d,"mib":%d,"seconds":%.2f,"mib_per_sec":%.1f}\n' "$i" "$size_mib" "$secs" "$(echo "$size_mib / $secs" | bc -l)"
done
printf '%s\n' "${times[@]}" | sort -n | awk -v mib="$size_mib" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "{\"median_seconds\":%.2f,\"median_mib_per_sec\":%.1f,\"runs\":%d}\n", m, mib/m, NR}'
