#!/usr/bin/env python3
"""Transactional data read by Debian's clients, and their idempotent
producing, against a real stack. Debian's confluent-kafka 1.7 (librdkafka
2.0.2) writes three transactions to each of three partitions (commit, abort,
commit); then:

- kcat with `-X isolation.level=read_committed` reads exactly the committed
  records, with `read_uncommitted` every record at the offsets the delivery
  reports gave (librdkafka drops the markers either way);
- kafka-python 2.0.2 reads the same partitions. It has no isolation level
  (always read_uncommitted), no idempotence and no transactions, and it does
  not drop control batches: each transaction marker reaches it as a record.
  So it checks the markers as Kafka writes them: right after the
  transaction's record, key = version 0 + type (1 commit, 0 abort), value =
  version 0 + the coordinator epoch (int32);
- kcat produces with `-X enable.idempotence=true` (librdkafka's idempotent
  producer): every line once, in order.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard, run, run_checks  # noqa: E402
import clients  # noqa: E402

KCAT = '/usr/bin/kcat'
TOPIC = 'txn-readers'
PARTITIONS = 3
TRANSACTIONS = (('c1', True), ('a1', False), ('c2', True))


class State:
    sent = {}  # (partition, offset) -> value, from the delivery reports


def write_transactions(bootstrap):
    clients.create_topic(bootstrap, TOPIC, PARTITIONS)
    acks = clients.Acks()
    p = clients.producer(bootstrap, **{'transactional.id': 'debian-librdkafka', 'transaction.timeout.ms': 30000})
    p.init_transactions(30)
    clients.write_transactions(p, TOPIC, PARTITIONS, TRANSACTIONS, acks)
    assert not acks.errors, acks.errors
    State.sent = {at: v.decode() for at, (_k, v, _) in acks.acked.items()}
    assert len(State.sent) == len(TRANSACTIONS) * PARTITIONS, State.sent


def kcat_read(bootstrap, isolation):
    out = run([KCAT, '-b', bootstrap, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q',
               '-X', 'isolation.level=' + isolation, '-f', '%p %o %s\\n'], timeout=60).stdout.decode()
    got = {}
    for line in out.splitlines():
        p, o, v = line.split(' ', 2)
        got[(int(p), int(o))] = v
    return got


def kcat_isolation(bootstrap):
    assert State.sent, 'no transaction was written'
    committed = kcat_read(bootstrap, 'read_committed')
    want = {at: v for at, v in State.sent.items() if not v.startswith('a1')}
    assert committed == want, 'read_committed: %r, want %r' % (committed, want)
    everything = kcat_read(bootstrap, 'read_uncommitted')
    assert everything == State.sent, 'read_uncommitted: %r, want %r' % (everything, State.sent)


def kafka_python_reads_markers(bootstrap):
    assert State.sent, 'no transaction was written'
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000,
                      auto_offset_reset='earliest')
    try:
        tps = [TopicPartition(TOPIC, q) for q in range(PARTITIONS)]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        end = c.end_offsets(tps)
        records = {}
        while any(c.position(tp) < end[tp] for tp in tps):
            batch = c.poll(timeout_ms=1000)
            if not batch:
                raise AssertionError('kafka-python stopped at %r of %r' % ({tp: c.position(tp) for tp in tps}, end))
            for recs in batch.values():
                for r in recs:
                    records[(r.partition, r.offset)] = (r.key, r.value)
    finally:
        c.close()
    for q in range(PARTITIONS):
        mine = [(o, kv) for (p, o), kv in sorted(records.items()) if p == q]
        assert len(mine) == 2 * len(TRANSACTIONS), 'partition %d: %r' % (q, mine)
        for i, (tag, commit) in enumerate(TRANSACTIONS):
            (data_offset, (_, value)), (marker_offset, (mkey, mvalue)) = mine[2 * i], mine[2 * i + 1]
            assert value.decode() == '%s-%d' % (tag, q) and State.sent[(q, data_offset)] == value.decode(), mine
            assert marker_offset == data_offset + 1, 'marker of %s at %d after %d' % (tag, marker_offset, data_offset)
            assert mkey == struct.pack('>hh', 0, 1 if commit else 0), 'marker key %r' % mkey
            assert len(mvalue) == 6 and struct.unpack('>hi', mvalue)[0] == 0, 'marker value %r' % mvalue


def kcat_idempotent(bootstrap, count=500):
    clients.create_topic(bootstrap, 'kcat-idempotent', 1)
    lines = ''.join('%d\n' % i for i in range(count)).encode()
    run([KCAT, '-b', bootstrap, '-P', '-t', 'kcat-idempotent', '-p', '0', '-X', 'enable.idempotence=true',
         '-X', 'max.in.flight.requests.per.connection=5'], input=lines, timeout=60)
    out = run([KCAT, '-b', bootstrap, '-C', '-t', 'kcat-idempotent', '-o', 'beginning', '-e', '-q', '-f', '%s\\n'],
              timeout=60).stdout.decode().split()
    assert out == [str(i) for i in range(count)], 'read %d records, first %r' % (len(out), out[:10])


def test():
    with SluiceStack() as stack:
        run_checks(stack.bootstrap, [('transactions by librdkafka 2.0.2', write_transactions),
                                     ('kcat isolation.level', kcat_isolation),
                                     ('kafka-python 2.0.2 sees the markers', kafka_python_reads_markers),
                                     ('kcat enable.idempotence', kcat_idempotent)])


if __name__ == '__main__':
    main_guard(test)
