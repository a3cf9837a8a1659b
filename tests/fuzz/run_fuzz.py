#!/usr/bin/env python3
"""Builds the Kafka request decoder fuzzer with clang and runs it.

    run_fuzz.py --cxx clang++ --source-dir SRC --gen-dir BUILD/gen \
                --seeds-exe BUILD/tests/protocol_fuzz_seeds --work-dir DIR [--seconds 60]

The project itself is built with the default compiler; libFuzzer needs clang,
so this compiles the codec sources (common/protocol and the generated
messages under BUILD/gen) a second time, with
-fsanitize=fuzzer,address,undefined, into DIR/obj, relinking only what
changed. It seeds DIR/corpus with one encoding of every generated message and
runs the fuzzer for --seconds. Exit status: 0 if no crash, leak, timeout or
sanitizer report was found; otherwise the fuzzer's status (the crashing input
is left in DIR as crash-*).
"""

import argparse
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys

CODEC_SOURCES = ["wire.cc", "api_keys.cc", "error_code.cc", "header.cc"]
SANITIZERS = "address,undefined"


def newest_mtime(paths):
    return max((os.path.getmtime(p) for p in paths), default=0.0)


def compile_one(cxx, src, obj, includes, headers_mtime):
    if os.path.exists(obj) and os.path.getmtime(obj) >= max(os.path.getmtime(src), headers_mtime):
        return None
    cmd = [cxx, "-std=c++20", "-O1", "-g", "-fno-omit-frame-pointer",
           f"-fsanitize=fuzzer-no-link,{SANITIZERS}", "-fno-sanitize-recover=all",
           *[f"-I{i}" for i in includes], "-c", src, "-o", obj]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        return f"{' '.join(cmd)}\n{result.stdout}{result.stderr}"
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cxx", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--gen-dir", required=True)
    p.add_argument("--seeds-exe", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--seconds", type=int, default=60)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()

    protocol_dir = os.path.join(args.source_dir, "common", "protocol")
    messages_dir = os.path.join(args.gen_dir, "common", "protocol", "messages")
    generated = sorted(glob.glob(os.path.join(messages_dir, "*.cc")))
    if not generated:
        print(f"no generated messages in {messages_dir}: build sluice_protocol first", file=sys.stderr)
        return 2
    if not os.path.exists(args.seeds_exe):
        print(f"{args.seeds_exe} missing: build protocol_fuzz_seeds first", file=sys.stderr)
        return 2

    sources = [os.path.join(protocol_dir, s) for s in CODEC_SOURCES] + generated + \
        [os.path.join(args.source_dir, "tests", "fuzz", "request_decoder_fuzz.cc")]
    headers = glob.glob(os.path.join(protocol_dir, "*.h")) + glob.glob(os.path.join(messages_dir, "*.h"))
    headers_mtime = newest_mtime(headers)
    obj_dir = os.path.join(args.work_dir, "obj")
    os.makedirs(obj_dir, exist_ok=True)
    includes = [args.source_dir, args.gen_dir]

    objects = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = []
        for src in sources:
            obj = os.path.join(obj_dir, os.path.basename(src) + ".o")
            objects.append(obj)
            futures.append(pool.submit(compile_one, args.cxx, src, obj, includes, headers_mtime))
        errors = [f.result() for f in futures if f.result()]
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 2

    fuzzer = os.path.join(args.work_dir, "request_decoder_fuzz")
    if not os.path.exists(fuzzer) or os.path.getmtime(fuzzer) < newest_mtime(objects):
        link = [args.cxx, f"-fsanitize=fuzzer,{SANITIZERS}", *objects, "-o", fuzzer]
        result = subprocess.run(link, capture_output=True, text=True)
        if result.returncode != 0:
            print(" ".join(link), result.stdout, result.stderr, file=sys.stderr)
            return 2

    seeds = os.path.join(args.work_dir, "seeds")
    shutil.rmtree(seeds, ignore_errors=True)
    subprocess.run([args.seeds_exe, seeds], check=True)
    corpus = os.path.join(args.work_dir, "corpus")
    os.makedirs(corpus, exist_ok=True)

    run = [fuzzer, f"-max_total_time={args.seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=16384", "-print_final_stats=1",
           f"-artifact_prefix={os.path.join(args.work_dir, '')}", corpus, seeds]
    print(" ".join(run), flush=True)
    status = subprocess.run(run).returncode
    if status != 0:
        print(f"fuzzer failed with status {status}; reproducer in {args.work_dir}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
