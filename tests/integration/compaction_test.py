#!/usr/bin/env python3
"""Log compaction (cleanup.policy=compact) end to end.

Two partition servers checking retention (and so running the cleaner) every
500 ms, and a compacted topic with replication factor 2, 1 KiB segments,
min.cleanable.dirty.ratio 0.01 and delete.retention.ms 100.

1. A record without a key is refused with INVALID_RECORD.
2. Many updates of a few keys, one key deleted by a tombstone, then records
   with distinct keys so that every update sits in a sealed segment below the
   high watermark. Polling (bounded) until a consumer reading from the start
   sees one record per key among the updates: each is the last acknowledged
   record of its key, at its acknowledged offset, with its value; the
   tombstoned key is gone (100 ms is long past by then); every filler record
   is still there.
3. The leader gets SIGTERM (controlled shutdown moves leadership to the
   follower). The new leader, which compacted its own copy, must converge to
   the same records.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

import confluent_kafka  # noqa: E402
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

TOPIC = 'compacted'
KEYS = [b'key-%d' % i for i in range(5)]
DEAD = b'deleted-key'
UPDATES = 400
FILLERS = 80


def read_all(stack):
    """(offset, key, value) of every record a consumer reads from the start."""
    msgs = clients.read_partitions(stack.bootstrap, TOPIC, 1, timeout=30)
    return [(m.offset(), m.key(), m.value()) for m in msgs]


def describe_leader(stack):
    return stack.describe(TOPIC)['partitions'][0]


def test():
    with SluiceStack(partition_servers=2, partition_args=['--retention-check-ms', '500']) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, 1, replication_factor=2, config={
            'cleanup.policy': 'compact',
            'segment.bytes': '1024',
            'min.cleanable.dirty.ratio': '0.01',
            'delete.retention.ms': '100',
        })
        clients.wait_until('both replicas in the ISR', lambda: len(describe_leader(stack)['isr']) == 2, 30,
                           detail=lambda: describe_leader(stack))

        # 1. Keyless records cannot be compacted: refused as Kafka does.
        # Batches below segment.bytes (1 KiB): a bigger record set is refused, as in Kafka.
        p = clients.producer(stack.bootstrap, acks='all', **{'linger.ms': 0, 'batch.size': 800})
        acks = clients.Acks()
        p.produce(TOPIC, value=b'no key', on_delivery=acks)
        clients.flush(p)
        assert not acks.acked and len(acks.errors) == 1, (acks.acked, acks.errors)
        assert acks.errors[0][0].code() == confluent_kafka.KafkaError.INVALID_RECORD, acks.errors

        # 2. Updates, a tombstone, then fillers to seal them all.
        acks = clients.Acks()
        p.produce(TOPIC, key=DEAD, value=b'soon gone', on_delivery=acks)
        for i in range(UPDATES):
            p.produce(TOPIC, key=KEYS[i % len(KEYS)], value=b'%s=%d' % (KEYS[i % len(KEYS)], i),
                      on_delivery=acks)
            if i % 50 == 0:
                p.poll(0)
            if i == UPDATES // 2:
                p.produce(TOPIC, key=DEAD, value=None, on_delivery=acks)
        clients.flush(p)
        fillers = clients.Acks()
        for i in range(FILLERS):
            p.produce(TOPIC, key=b'filler-%d' % i, value=b'x' * 40, on_delivery=fillers)
        clients.flush(p)
        assert not acks.errors and not fillers.errors, (acks.errors[:3], fillers.errors[:3])
        first_filler = min(offset for (_, offset) in fillers.acked)

        latest = {}  # key -> (offset, value) of its last acknowledged record
        for (_, offset), (key, value, _) in sorted(acks.acked.items()):
            latest[key] = (offset, value)
        assert max(off for off, _ in latest.values()) < first_filler

        def compacted_view():
            records = read_all(stack)
            updates = [r for r in records if r[0] < first_filler]
            keys = [k for _, k, _ in updates]
            if len(keys) == len(set(keys)) and DEAD not in keys:
                return records
            # A tombstone younger than delete.retention.ms at the first
            # cleaning stays until the cleaner runs again, which takes new
            # dirty data (as in Kafka): a few more fillers.
            for _ in range(5):
                p.produce(TOPIC, key=b'filler-%d' % len(fillers.acked), value=b'x' * 40, on_delivery=fillers)
                clients.flush(p)
            return None

        def progress():
            records = read_all(stack)
            return '%d records below offset %d' % (sum(1 for r in records if r[0] < first_filler), first_filler)

        def check(records, who):
            offsets = [r[0] for r in records]
            assert offsets == sorted(set(offsets)), '%s: offsets not increasing' % who
            updates = {k: (off, v) for off, k, v in records if off < first_filler}
            for key in KEYS:
                assert updates.get(key) == latest[key], '%s: key %r is %r, last acknowledged %r' % (
                    who, key, updates.get(key), latest[key])
            assert set(updates) == set(KEYS), '%s: unexpected keys %r' % (who, set(updates) - set(KEYS))
            got_fillers = {off for off, k, _ in records if k.startswith(b'filler-')}
            want_fillers = {off for (_, off) in fillers.acked}
            assert got_fillers == want_fillers, '%s: fillers lost: %r' % (who, sorted(want_fillers - got_fillers)[:5])

        records = clients.wait_until('compaction of the leader', compacted_view, 20, detail=progress, interval=0.5)
        check(records, 'leader')

        # 3. The follower compacted its own copy; after a leader switch the
        # same records are served.
        before = describe_leader(stack)
        name = stack.name_of_node(before['leader'])
        code = stack.kill(name, signal.SIGTERM)
        assert code == 0, '%s exited %r on SIGTERM' % (name, code)
        clients.wait_until('a new leader', lambda: describe_leader(stack)['leader'] not in (-1, before['leader']), 20,
                           detail=lambda: describe_leader(stack))
        after = clients.wait_until('compaction of the new leader', compacted_view, 20, detail=progress, interval=0.5)
        check(after, 'new leader')
        below = [r for r in records if r[0] < first_filler]
        assert [r for r in after if r[0] < first_filler] == below, 'replicas differ'
        print('%d updates of %d keys and a tombstone compacted to %d records; the follower agrees' % (
            UPDATES, len(KEYS), len(below)))


if __name__ == '__main__':
    main_guard(test)
