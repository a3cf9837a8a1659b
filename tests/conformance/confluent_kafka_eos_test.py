#!/usr/bin/env python3
"""Idempotence and transactions with confluent-kafka 2.16 (librdkafka 2.x,
from the venv scripts/setup.sh test makes beside the build; this file
re-executes itself there and exits 77 without it), against a real stack:

- an idempotent producer (enable.idempotence, acks=all, 5 in flight): every
  record delivered once, at its reported offset, in send order per partition;
- transactions: init / begin / produce / commit, and abort: a read_committed
  consumer gets exactly the committed records, a read_uncommitted one every
  record at the offsets the delivery reports gave;
- the last stable offset: a read_committed consumer stops before an open
  transaction (and so before a plain record written after it) until the
  transaction commits;
- send_offsets_to_transaction with a group member's metadata: the group's
  offsets move only with the commit;
- a zombie (same transactional.id, fenced by a newer instance) fails fatally
  with _FENCED when it tries to commit.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
from test_venv import reexec_in_venv  # noqa: E402
reexec_in_venv()
from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import clients  # noqa: E402
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition  # noqa: E402

PARTITIONS = 3


def txn_producer(bootstrap, tid, **extra):
    conf = {'transactional.id': tid, 'transaction.timeout.ms': 30000}
    conf.update(extra)
    p = clients.producer(bootstrap, **conf)
    p.init_transactions(30)
    return p


def read(bootstrap, topic, isolation, partitions=PARTITIONS, timeout=30):
    """{(partition, offset): value} of the whole topic."""
    records = clients.read_partitions(bootstrap, topic, partitions, timeout=timeout,
                                      **{'isolation.level': isolation})
    return {(m.partition(), m.offset()): m.value().decode() for m in records}


def idempotent(bootstrap, count=1500):
    clients.create_topic(bootstrap, 'c-idempotent', PARTITIONS)
    acks = clients.Acks()
    p = clients.producer(bootstrap, **{'enable.idempotence': True, 'max.in.flight.requests.per.connection': 5,
                                       'batch.num.messages': 20})
    for i in range(count):
        p.produce('c-idempotent', value=b'%d' % i, key=b'%d' % i, partition=i % PARTITIONS, on_delivery=acks)
        p.poll(0)
    clients.flush(p)
    assert not acks.errors, acks.errors[:5]
    acked = {int(v): at for at, (_k, v, _) in acks.acked.items()}
    assert sorted(acked) == list(range(count)), 'delivered %d of %d' % (len(acked), count)
    got = read(bootstrap, 'c-idempotent', 'read_uncommitted')
    assert len(got) == count and sorted(int(v) for v in got.values()) == list(range(count)), \
        'records %d, distinct %d' % (len(got), len(set(got.values())))
    misplaced = [s for s, at in acked.items() if got.get(at) != str(s)]
    assert not misplaced, misplaced[:10]
    for q in range(PARTITIONS):
        order = [int(v) for (r, _), v in sorted(got.items()) if r == q]
        assert order == sorted(order), 'partition %d out of send order' % q


def commit_and_abort(bootstrap):
    clients.create_topic(bootstrap, 'c-txn', PARTITIONS)
    acks = clients.Acks()
    p = txn_producer(bootstrap, 'c-txn-1')
    clients.write_transactions(p, 'c-txn', PARTITIONS, (('c1', True), ('a1', False), ('c2', True)), acks)
    assert not acks.errors, acks.errors
    sent = {at: v.decode() for at, (_k, v, _) in acks.acked.items()}
    assert len(sent) == 3 * PARTITIONS, sent
    committed = read(bootstrap, 'c-txn', 'read_committed')
    assert committed == {at: v for at, v in sent.items() if not v.startswith('a1')}, committed
    assert read(bootstrap, 'c-txn', 'read_uncommitted') == sent


def last_stable_offset(bootstrap):
    clients.create_topic(bootstrap, 'c-lso', 1)
    plain = clients.producer(bootstrap, acks='all')
    plain.produce('c-lso', value=b'before', partition=0)
    clients.flush(plain)
    p = txn_producer(bootstrap, 'c-lso-1')
    p.begin_transaction()
    p.produce('c-lso', value=b'open', partition=0)
    p.flush(30)
    plain.produce('c-lso', value=b'after', partition=0)
    clients.flush(plain)
    assert sorted(read(bootstrap, 'c-lso', 'read_uncommitted', 1).values()) == ['after', 'before', 'open']
    assert list(read(bootstrap, 'c-lso', 'read_committed', 1).values()) == ['before'], \
        'read_committed read past an open transaction'
    p.commit_transaction(30)
    assert list(v for _, v in sorted(read(bootstrap, 'c-lso', 'read_committed', 1).items())) == \
        ['before', 'open', 'after']


def copy_once(bootstrap, group, tid, commit, expect):
    """One consume-transform-produce transaction over `expect` input records."""
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'isolation.level': 'read_committed',
                  'enable.auto.commit': False, 'auto.offset.reset': 'earliest'})
    p = txn_producer(bootstrap, tid)
    try:
        c.subscribe(['c-in'])
        got = []
        deadline = time.monotonic() + 30
        while len(got) < expect and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got.append(m)
        assert len(got) == expect, 'consumed %d of %d' % (len(got), expect)
        p.begin_transaction()
        for m in got:
            p.produce('c-out', value=m.value(), key=m.key(), partition=m.partition())
        p.send_offsets_to_transaction(c.position(c.assignment()), c.consumer_group_metadata(), 30)
        if commit:
            p.commit_transaction(30)
        else:
            p.abort_transaction(30)
    finally:
        c.close()


def send_offsets(bootstrap, count=30):
    clients.create_topic(bootstrap, 'c-in', PARTITIONS)
    clients.create_topic(bootstrap, 'c-out', PARTITIONS)
    plain = clients.producer(bootstrap, acks='all')
    for i in range(count):
        plain.produce('c-in', value=b'%d' % i, partition=i % PARTITIONS)
    clients.flush(plain)
    copy_once(bootstrap, 'c-group', 'c-copy', commit=False, expect=count)
    assert clients.committed(bootstrap, 'c-group', 'c-in', PARTITIONS) == {q: -1001 for q in range(PARTITIONS)}, \
        'an aborted transaction committed offsets'
    assert read(bootstrap, 'c-out', 'read_committed') == {}
    copy_once(bootstrap, 'c-group', 'c-copy', commit=True, expect=count)
    assert clients.committed(bootstrap, 'c-group', 'c-in', PARTITIONS) == \
        {q: count // PARTITIONS for q in range(PARTITIONS)}
    assert sorted(int(v) for v in read(bootstrap, 'c-out', 'read_committed').values()) == list(range(count))


def successive_offset_transactions(stack, rounds=4):
    """One producer commits offsets in several transactions (same producer
    id and epoch each time): every commit is written, so the group
    coordinator that loads the log after a restart finds the last one."""
    bootstrap = stack.bootstrap
    clients.create_topic(bootstrap, 's-in', PARTITIONS)
    clients.create_topic(bootstrap, 's-out', PARTITIONS)
    p = txn_producer(bootstrap, 's-copy')
    meta = Consumer({'bootstrap.servers': bootstrap, 'group.id': 's-group'}).consumer_group_metadata()
    for i in range(1, rounds + 1):
        p.begin_transaction()
        p.produce('s-out', value=b'%d' % i, partition=0)
        p.send_offsets_to_transaction([TopicPartition('s-in', q, 10 * i) for q in range(PARTITIONS)], meta, 30)
        p.commit_transaction(30)
        assert clients.committed(bootstrap, 's-group', 's-in', PARTITIONS) == \
            {q: 10 * i for q in range(PARTITIONS)}, 'transaction %d' % i
    for name in stack.group_coordinator_names():
        stack.restart(name)
    deadline = time.monotonic() + 30
    while True:
        try:
            got = clients.committed(bootstrap, 's-group', 's-in', PARTITIONS, timeout=10)
        except KafkaException as e:
            got = e  # the shard is still loading
        if got == {q: 10 * rounds for q in range(PARTITIONS)} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert got == {q: 10 * rounds for q in range(PARTITIONS)}, 'after a reload: %r' % (got,)


def zombie(bootstrap):
    clients.create_topic(bootstrap, 'c-zombie', 1)
    old = txn_producer(bootstrap, 'c-zombie-1')
    old.begin_transaction()
    old.produce('c-zombie', value=b'zombie', partition=0)
    old.flush(30)
    new = txn_producer(bootstrap, 'c-zombie-1')
    new.begin_transaction()
    new.produce('c-zombie', value=b'live', partition=0)
    new.commit_transaction(30)
    try:
        old.commit_transaction(30)
        raise AssertionError('the zombie committed')
    except KafkaException as e:
        err = e.args[0]
        print('zombie: %s' % err)
        assert err.code() in (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH) \
            and err.fatal(), err
    assert list(read(bootstrap, 'c-zombie', 'read_committed', 1).values()) == ['live']


def test():
    with SluiceStack() as stack:
        run_checks(stack.bootstrap, [('idempotent producer', idempotent), ('commit and abort', commit_and_abort),
                                     ('last stable offset', last_stable_offset),
                                     ('send_offsets_to_transaction', send_offsets), ('zombie fencing', zombie),
                                     ('offsets of successive transactions, reloaded',
                                      lambda _: successive_offset_transactions(stack))])


if __name__ == '__main__':
    main_guard(test)
