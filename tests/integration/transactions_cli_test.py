#!/usr/bin/env python3
"""`sluice transactions list|describe|producers` and `sluice bench
transactions` against a real stack with two gateways and two group
coordinators, driven by Debian's confluent-kafka (librdkafka 2.0.2).

A transactional producer writes to two partitions of `t` and keeps the
transaction open. Then:
- `list --json` shows the id once (each gateway lists only the ids it
  coordinates; the command asks every gateway), Ongoing, with its producer id;
- `describe --json` shows the same producer, epoch 0 and both partitions;
- `producers --json` shows the producer on both partitions with its open
  transaction's first offset, and nothing on the partition it did not write;
- after the commit, the id is CompleteCommit and the producers have no open
  transaction; an unknown id is TRANSACTIONAL_ID_NOT_FOUND (exit 1);
- `bench transactions` commits 20 small transactions and reports them.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

from confluent_kafka import Producer  # noqa: E402

TOPIC = 't'
TXN_ID = 'cli-txn'


def sluice_json(stack, *args, check=True):
    out = stack.sluice(*args, '--bootstrap-server', stack.bootstrap, '--json', check=check)
    return out.returncode, json.loads(out.stdout)


def until(what, fn, timeout=30):
    """fn()'s value once it is truthy (the coordinator writes asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got or time.monotonic() > deadline:
            assert got, 'no %s within %d s' % (what, timeout)
            return got
        time.sleep(0.2)


def listed(stack, state):
    _, ids = sluice_json(stack, 'transactions', 'list')
    mine = [t for t in ids if t['transactional_id'] == TXN_ID]
    assert len(mine) <= 1, 'listed twice: %r' % ids
    return mine[0] if mine and mine[0]['state'] == state else None


def test():
    with SluiceStack(gateways=2, group_coordinators=2) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, 3)
        p = Producer({'bootstrap.servers': stack.bootstrap, 'transactional.id': TXN_ID})
        p.init_transactions(30)
        p.begin_transaction()
        for partition in (0, 1):
            p.produce(TOPIC, value=b'v', partition=partition)
        p.flush(30)

        ongoing = until('Ongoing listing', lambda: listed(stack, 'Ongoing'))
        pid = ongoing['producer_id']
        assert pid >= 0, ongoing

        _, described = sluice_json(stack, 'transactions', 'describe', '--transactional-id', TXN_ID)
        assert len(described) == 1, described
        d = described[0]
        assert d['error'] == 'NONE' and d['state'] == 'Ongoing', d
        assert d['producer_id'] == pid and d['producer_epoch'] == 0, d
        assert sorted(d['partitions'].split(',')) == ['t-0', 't-1'], d

        _, producers = sluice_json(stack, 'transactions', 'producers', '--topic', TOPIC,
                                   '--partition', '0', '--partition', '1', '--partition', '2')
        by_partition = {s['partition']: s for s in producers if s['producer_id'] == pid}
        assert sorted(by_partition) == [0, 1], producers
        assert all(s['current_txn_start_offset'] == 0 for s in by_partition.values()), producers

        p.commit_transaction(30)
        until('CompleteCommit listing', lambda: listed(stack, 'CompleteCommit'))
        _, producers = sluice_json(stack, 'transactions', 'producers', '--topic', TOPIC, '--partition', '0')
        assert [s['current_txn_start_offset'] for s in producers if s['producer_id'] == pid] == [-1], producers

        code, unknown = sluice_json(stack, 'transactions', 'describe', '--transactional-id', 'nobody', check=False)
        assert code == 1 and unknown[0]['error'] == 'TRANSACTIONAL_ID_NOT_FOUND', unknown

        code, bench = sluice_json(stack, 'bench', 'transactions', '--topic', 'bench-txn', '--transactions', '20')
        assert code == 0 and bench['transactions'] == 20 and bench['transactions_per_sec'] > 0, bench


if __name__ == '__main__':
    main_guard(test)
