"""kafka-python 2.0.2 (Debian) against a real stack, without consumer groups
(assign + seek): admin create/describe configs/delete, keyed records,
headers, null values, gzip/snappy/lz4/zstd batches, earliest/latest,
offsets_for_times."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic  # noqa: E402


def wait_partitions(consumer, topic, n, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = consumer.partitions_for_topic(topic)
        if parts and len(parts) == n:
            return
        consumer.topics()  # forces a metadata refresh
        time.sleep(0.2)
    raise AssertionError('%s: partitions %r' % (topic, consumer.partitions_for_topic(topic)))


def read(consumer, tps, expect, timeout=30):
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < expect and time.monotonic() < deadline:
        for _tp, msgs in consumer.poll(timeout_ms=500).items():
            out.extend(msgs)
    assert len(out) == expect, 'read %d of %d records' % (len(out), expect)
    return out


def test():
    with SluiceStack(partition_servers=2) as stack:
        b = stack.bootstrap
        adm = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=20000)
        adm.create_topics([NewTopic('kp-main', 4, 1, topic_configs={'retention.ms': '3600000'}),
                           NewTopic('kp-doomed', 1, 1)], timeout_ms=20000)
        res = adm.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-main')])
        entries = {e[0]: e[1] for e in res[0].resources[0][4]}
        assert entries.get('retention.ms') == '3600000', entries
        assert 'max.message.bytes' in entries and 'cleanup.policy' in entries, sorted(entries)
        adm.delete_topics(['kp-doomed'], timeout_ms=20000)

        cons = KafkaConsumer(bootstrap_servers=b, enable_auto_commit=False, group_id=None,
                             consumer_timeout_ms=1000, fetch_max_wait_ms=100)
        wait_partitions(cons, 'kp-main', 4)
        deadline = time.monotonic() + 20
        while 'kp-doomed' in cons.topics() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert 'kp-doomed' not in cons.topics(), 'deleted topic still listed'

        t0 = int(time.time() * 1000) - 60000
        sent = []
        codecs = [None, 'gzip', 'snappy', 'lz4']
        prod0 = KafkaProducer(bootstrap_servers=b, acks=1)
        broker_version = prod0.config['api_version']
        prod0.close()
        if broker_version >= (2, 1, 0):
            codecs.append('zstd')
        else:
            print('kafka-python infers broker version %r from ApiVersions: zstd needs 2.1, not tried'
                  % (broker_version,))
        for ci, codec in enumerate(codecs):
            prod = KafkaProducer(bootstrap_servers=b, acks='all', compression_type=codec,
                                 linger_ms=20, batch_size=65536)
            futs = []
            for i in range(250):
                key = ('k%d' % (i % 17)).encode()
                value = None if i % 50 == 49 else ('%s-%d ' % (codec, i)).encode() * 5
                headers = [('codec', (codec or 'none').encode()), ('i', str(i).encode())]
                ts = t0 + ci * 1000 + i
                futs.append((key, value, headers, ts,
                             prod.send('kp-main', key=key, value=value, headers=headers, timestamp_ms=ts)))
            prod.flush(30)
            for key, value, headers, ts, f in futs:
                md = f.get(timeout=30)
                sent.append((md.partition, md.offset, key, value, headers, ts))
            prod.close(10)

        tps = [TopicPartition('kp-main', p) for p in range(4)]
        cons.assign(tps)
        cons.seek_to_beginning()
        got = read(cons, tps, len(sent))
        by_pos = {(m.partition, m.offset): m for m in got}
        assert len(by_pos) == len(sent)
        key_part = {}
        for p, o, key, value, headers, ts in sent:
            m = by_pos[(p, o)]
            assert m.key == key and m.value == value, (p, o, m)
            assert list(m.headers) == headers, (m.headers, headers)
            assert m.timestamp == ts, (m.timestamp, ts)
            key_part.setdefault(key, set()).add(p)
        assert all(len(s) == 1 for s in key_part.values()), key_part

        begin = cons.beginning_offsets(tps)
        end = cons.end_offsets(tps)
        per_part = {p: sum(1 for s in sent if s[0] == p) for p in range(4)}
        for tp in tps:
            assert begin[tp] == 0 and end[tp] == per_part[tp.partition], (tp, begin, end, per_part)

        # offsets_for_times: first record at or after each codec round's start
        for ci in range(len(codecs)):
            target = t0 + ci * 1000
            res = cons.offsets_for_times({tp: target for tp in tps})
            for tp in tps:
                want = min((o for p, o, _k, _v, _h, ts in sent if p == tp.partition and ts >= target), default=None)
                r = res[tp]
                if want is None:
                    assert r is None, (tp, r)
                else:
                    assert r is not None and r.offset == want, (tp, target, r, want)
        res = cons.offsets_for_times({tp: t0 + 10 ** 7 for tp in tps})
        assert all(v is None for v in res.values()), res

        # from latest: nothing old, then exactly the new records
        cons.seek_to_end()
        assert not any(cons.poll(timeout_ms=500).values())
        prod = KafkaProducer(bootstrap_servers=b, acks=1)
        for i in range(10):
            prod.send('kp-main', key=b'late', value=b'late-%d' % i)
        prod.flush(30)
        prod.close(10)
        late = read(cons, tps, 10)
        assert sorted(m.value for m in late) == sorted(b'late-%d' % i for i in range(10))
        cons.close()
        adm.close()


if __name__ == '__main__':
    main_guard(test)
