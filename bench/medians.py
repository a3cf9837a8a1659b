#!/usr/bin/python3
"""Medians of the numeric fields of each tool's runs in bench/run.sh's
results file (one JSON object per line: tool, run, result)."""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    by_tool = defaultdict(list)
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            by_tool[row["tool"]].append(row["result"])
    for tool, results in by_tool.items():
        keys = [k for k, v in results[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        medians = {k: statistics.median(r[k] for r in results if k in r) for k in keys}
        print(json.dumps({"tool": tool, "runs": len(results), "median": medians}))


if __name__ == "__main__":
    main(sys.argv[1])
