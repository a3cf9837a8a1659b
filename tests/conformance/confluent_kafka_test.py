"""confluent-kafka 1.7 / librdkafka (Debian) against a real stack, without
consumer groups (assign(), no commits): admin, keyed records, headers,
tombstones, every codec, records just under and just over max.message.bytes,
12k records over 6 partitions all accounted for, earliest/latest,
offsets_for_times."""
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import KafkaError, TopicPartition  # noqa: E402
from confluent_kafka.admin import ConfigResource  # noqa: E402

MAX = 100000  # max.message.bytes of the size topic


def payload(i):
    h = hashlib.sha256(b'%d' % i).hexdigest().encode()
    return b'%08d:' % i + h * (1 + i % 7)


def test_codecs_and_headers(b):
    clients.create_topic(b, 'ck-codecs', partitions=3)
    expected = {}
    t0 = int(time.time() * 1000) - 100000
    for ci, codec in enumerate(['none', 'gzip', 'snappy', 'lz4', 'zstd']):
        acked, errors = {}, []
        p = clients.producer(b, **{'compression.codec': codec, 'acks': 'all', 'linger.ms': 20})
        for i in range(400):
            key = b'key-%d' % (i % 13)
            value = None if i % 40 == 39 else b'%s-%d-' % (codec.encode(), i) * 8
            ts = t0 + ci * 10000 + i

            def dr(err, msg, key=key, value=value, ts=ts, codec=codec):
                if err is not None:
                    errors.append(err)
                else:
                    acked[(msg.partition(), msg.offset())] = (key, value, codec, ts)
            p.produce('ck-codecs', key=key, value=value, headers=[('codec', codec.encode()), ('i', b'%d' % i)],
                      timestamp=ts, on_delivery=dr)
        clients.flush(p)
        assert not errors, errors[:3]
        assert len(acked) == 400, len(acked)
        expected.update(acked)
    msgs = clients.read_partitions(b, 'ck-codecs', 3, expect=len(expected))
    assert len(msgs) == len(expected), (len(msgs), len(expected))
    parts_of_key = {}
    for m in msgs:
        k, v, codec, ts = expected[(m.partition(), m.offset())]
        assert m.key() == k and m.value() == v, (m.partition(), m.offset(), m.key(), m.value()[:40] if m.value() else None)
        hdr = dict(m.headers())
        assert hdr['codec'] == codec.encode(), hdr
        assert m.timestamp() == (confluent_kafka.TIMESTAMP_CREATE_TIME, ts), (m.timestamp(), ts)
        parts_of_key.setdefault(k, set()).add(m.partition())
    assert all(len(s) == 1 for s in parts_of_key.values()), parts_of_key
    tombstones = sum(1 for m in msgs if m.value() is None)
    assert tombstones == 5 * 10, tombstones

    # offsets_for_times per codec round
    c = clients.consumer(b)
    try:
        for ci in range(5):
            target = t0 + ci * 10000 + 200
            res = c.offsets_for_times([TopicPartition('ck-codecs', p, target) for p in range(3)], timeout=20)
            for tp in res:
                want = min((o for (p, o), (_k, _v, _c, ts) in expected.items() if p == tp.partition and ts >= target),
                           default=-1)
                assert tp.offset == want, (tp, want)
    finally:
        c.close()


def test_max_message_bytes(b):
    clients.create_topic(b, 'ck-size', partitions=1, config={'max.message.bytes': str(MAX)})
    adm = clients.admin(b)
    res = adm.describe_configs([ConfigResource('topic', 'ck-size')])
    cfg = list(res.values())[0].result(timeout=20)
    assert cfg['max.message.bytes'].value == str(MAX), cfg['max.message.bytes']
    # One record per batch; batch overhead is 61 bytes plus ~10 bytes of record header.
    under = b'u' * (MAX - 200)
    over = b'o' * (MAX + 200)
    acks = clients.Acks()
    p = clients.producer(b, **{'message.max.bytes': 4 * MAX, 'compression.codec': 'none', 'linger.ms': 0,
                              'acks': 1, 'retries': 0, 'message.timeout.ms': 20000})
    p.produce('ck-size', value=under, on_delivery=acks)
    clients.flush(p)
    p.produce('ck-size', value=over, on_delivery=acks)
    clients.flush(p)
    assert len(acks.acked) == 1 and list(acks.acked.values())[0][1] == under, acks.acked.keys()
    assert len(acks.errors) == 1, acks.errors
    assert acks.errors[0][0].code() == KafkaError.MSG_SIZE_TOO_LARGE, acks.errors[0][0]
    # librdkafka's default fetch sizes (50 MiB, 1 MiB per partition) already
    # exceed MAX; smaller ones must stay >= message.max.bytes or the client refuses.
    msgs = clients.read_partitions(b, 'ck-size', 1, expect=1)
    assert [m.value() for m in msgs] == [under]


def test_many_records(b):
    n = 12000
    clients.create_topic(b, 'ck-many', partitions=6)
    acks = clients.Acks()
    p = clients.producer(b, **{'acks': 1, 'linger.ms': 10, 'compression.codec': 'lz4'})
    for i in range(n):
        p.produce('ck-many', key=b'%d' % i, value=payload(i), on_delivery=acks)
        if i % 2000 == 0:
            p.poll(0)
    clients.flush(p)
    assert not acks.errors and len(acks.acked) == n, (len(acks.acked), acks.errors[:3])
    msgs = clients.read_partitions(b, 'ck-many', 6, expect=n, timeout=90)
    assert len(msgs) == n, len(msgs)
    seen = set()
    for m in msgs:
        i = int(m.key())
        assert m.value() == payload(i), i
        assert acks.acked[(m.partition(), m.offset())][0] == m.key()
        seen.add(i)
    assert seen == set(range(n))
    for part in range(6):
        offs = sorted(m.offset() for m in msgs if m.partition() == part)
        assert offs == list(range(len(offs))), part
        assert offs, 'partition %d got nothing' % part
    return n


def test_earliest_latest(b):
    c = clients.consumer(b)
    try:
        lo, hi = c.get_watermark_offsets(TopicPartition('ck-many', 0), timeout=20)
        assert lo == 0 and hi > 0, (lo, hi)
        c.assign([TopicPartition('ck-many', p, confluent_kafka.OFFSET_END) for p in range(6)])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # let the consumer settle at the end
            m = c.poll(0.3)
            assert m is None or m.error(), 'read an old record from latest: %r' % (m.value(),)
        p = clients.producer(b, acks=1)
        for i in range(30):
            p.produce('ck-many', key=b'late-%d' % i, value=b'late')
        clients.flush(p)
        got = []
        deadline = time.monotonic() + 30
        while len(got) < 30 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got.append(m.key())
        assert sorted(got) == sorted(b'late-%d' % i for i in range(30)), got
    finally:
        c.close()


def test_admin_delete(b):
    clients.create_topic(b, 'ck-doomed', partitions=2)
    adm = clients.admin(b)
    adm.delete_topics(['ck-doomed'], operation_timeout=20)['ck-doomed'].result(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and 'ck-doomed' in adm.list_topics(timeout=5).topics:
        time.sleep(0.3)
    assert 'ck-doomed' not in adm.list_topics(timeout=5).topics
    fs = adm.create_topics([confluent_kafka.admin.NewTopic('ck-many', 6, 1)], operation_timeout=20)
    try:
        fs['ck-many'].result(timeout=30)
        raise AssertionError('creating an existing topic succeeded')
    except confluent_kafka.KafkaException as e:
        assert e.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS, e


def test_pipelined_order(b):
    """Many small produce requests in flight on one connection (librdkafka's
    default max.in.flight is 1,000,000) must be appended in the order sent."""
    n = 20000
    clients.create_topic(b, 'ck-order', partitions=1)
    acks = clients.Acks()
    p = clients.producer(b, **{'acks': 1, 'linger.ms': 0, 'batch.num.messages': 5,
                              'max.in.flight.requests.per.connection': 1000})
    for i in range(n):
        p.produce('ck-order', value=b'%d' % i, on_delivery=acks)
        if i % 500 == 0:
            p.poll(0)
    clients.flush(p)
    assert len(acks.acked) == n and not acks.errors, (len(acks.acked), acks.errors[:3])
    msgs = clients.read_partitions(b, 'ck-order', 1, expect=n)
    values = [int(m.value()) for m in msgs]
    assert values == sorted(values) and len(values) == n, \
        'first out-of-order record at index %d' % next(i for i in range(1, len(values)) if values[i] < values[i - 1])


def test():
    with SluiceStack(partition_servers=2) as stack:
        b = stack.bootstrap
        test_codecs_and_headers(b)
        test_max_message_bytes(b)
        test_many_records(b)
        test_earliest_latest(b)
        test_admin_delete(b)
        test_pipelined_order(b)


if __name__ == '__main__':
    main_guard(test)
