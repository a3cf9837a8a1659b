#!/usr/bin/python3
"""Figures for idempotent and transactional producers (docs/benchmarks.md,
issue 10). Starts its own stack with the test fixture (one coordinator, one
partition server, two group coordinators, one gateway; loopback, temp data
dir) and prints one JSON line per run, then the medians:

- produce_mb_s{idempotence off|on}: `sluice bench produce`, 1 KiB records,
  6 partitions, acks=all, with enable.idempotence false then true
  (alternating, same topic layout);
- txn_per_s: `sluice bench transactions`, small transactions of one record
  to each of 3 partitions plus an offset commit (librdkafka, transaction
  version 1);
- java_txn_per_s: the same transactions with Kafka's Java client
  (tests/java/TxnRate.java, transaction version 2 as the gateway finalizes
  it); left out, with a note, when java or the test jars are missing
  (`scripts/setup.sh test` fetches them);
- fence_resume_s: a transactional producer holds an open transaction; the
  group coordinator serving its transactional id's shard is killed
  (SIGKILL); seconds until a new producer with the same transactional.id
  has initialised (fencing the old one) and committed a transaction. Bounded
  below by the lease (6 s): the coordinator learns of a death by its silence.

  bench/transactions.py [--runs 3] [--records 300000] [--transactions 500]
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures'))
from sluice_stack import SluiceStack  # noqa: E402
import clients  # noqa: E402
import group_shards  # noqa: E402
import java_clients  # noqa: E402
from offsets_topic import offsets_partition_of  # noqa: E402

from confluent_kafka import Producer  # noqa: E402

def bench_json(stack, *args):
    out = stack.sluice('bench', *args, '--bootstrap-server', stack.bootstrap, '--json', timeout=600)
    return json.loads(out.stdout)


def produce_mb_s(stack, records, idempotence, run):
    r = bench_json(stack, 'produce', '--topic', 'idem-%s-%d' % (idempotence, run), '--records', str(records),
                   '--record-size', '1024', '--partitions', '6', '--acks', 'all',
                   '-X', 'enable.idempotence=%s' % idempotence)
    return r['records_per_sec'] * 1024 / 1e6


def txn_per_s(stack, transactions, run):
    r = bench_json(stack, 'transactions', '--topic', 'txn-%d' % run, '--transactions', str(transactions),
                   '--transactional-id', 'bench-txn-%d' % run)
    return r['transactions_per_sec']


def java_txn_per_s(stack, transactions, run):
    topic = 'java-txn-%d' % run
    clients.create_topic(stack.bootstrap, topic, 3)
    _, out, _ = java_clients.run('TxnRate', stack.bootstrap, topic, 3, 'bench-java-group-%d' % run,
                                 'bench-java-txn-%d' % run, 50, transactions, timeout=600)
    return float(java_clients.lines('TXN_PER_S', out)[0][0])


def txn_producer(bootstrap, tid):
    p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': tid, 'transaction.timeout.ms': 60000})
    p.init_transactions(60)
    return p


def fence_resume_s(stack, run):
    tid = 'bench-fence-%d' % run
    topic = 'fence-%d' % run
    clients.create_topic(stack.bootstrap, topic, 1)
    old = txn_producer(stack.bootstrap, tid)
    old.begin_transaction()
    old.produce(topic, value=b'zombie', partition=0)
    old.flush(30)
    owner = group_shards.wait_single_owner(stack, offsets_partition_of(tid))
    start = time.monotonic()
    stack.kill(owner, signal.SIGKILL)
    new = txn_producer(stack.bootstrap, tid)
    new.begin_transaction()
    new.produce(topic, value=b'live', partition=0)
    new.commit_transaction(60)
    elapsed = time.monotonic() - start
    stack.restart(owner)
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--records', type=int, default=300000)
    ap.add_argument('--transactions', type=int, default=500)
    a = ap.parse_args()
    results = {'produce_mb_s_idempotence_off': [], 'produce_mb_s_idempotence_on': [], 'txn_per_s': [],
               'java_txn_per_s': [], 'fence_resume_s': []}
    java_missing = java_clients.missing()
    if java_missing:
        print('java_txn_per_s left out: %s' % java_missing, file=sys.stderr)
        del results['java_txn_per_s']
    else:
        java_clients.compile_programs()
    with SluiceStack(group_coordinators=2) as stack:
        for run in range(a.runs):
            row = {'run': run,
                   'produce_mb_s_idempotence_off': produce_mb_s(stack, a.records, 'false', run),
                   'produce_mb_s_idempotence_on': produce_mb_s(stack, a.records, 'true', run),
                   'txn_per_s': txn_per_s(stack, a.transactions, run),
                   'fence_resume_s': fence_resume_s(stack, run)}
            if not java_missing:
                row['java_txn_per_s'] = java_txn_per_s(stack, a.transactions, run)
            for k in results:
                results[k].append(row[k])
            print(json.dumps(row), flush=True)
    print(json.dumps({'medians': {k: round(statistics.median(v), 3) for k, v in results.items()}}), flush=True)


if __name__ == '__main__':
    main()
