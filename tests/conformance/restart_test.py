"""A full stack restart keeps every record: produce (acks=all) to several
topics, stop every service with SIGTERM (each must exit 0), start them all on
the same data dirs, and read everything back, then append after the restart
and check offsets continue."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402


def produce(b, topic, n, tag):
    acks = clients.Acks()
    p = clients.producer(b, acks='all', **{'compression.codec': 'snappy'})
    for i in range(n):
        p.produce(topic, key=b'%s-%d' % (tag, i), value=b'%s value %d' % (tag, i), headers=[('t', tag)],
                  on_delivery=acks)
    clients.flush(p)
    assert not acks.errors and len(acks.acked) == n, acks.errors[:3]
    return acks.acked


def check(b, topic, parts, acked):
    msgs = clients.read_partitions(b, topic, parts, expect=len(acked), timeout=60)
    got = {(m.partition(), m.offset()): (m.key(), m.value()) for m in msgs}
    assert len(got) == len(msgs) == len(acked), (len(got), len(msgs), len(acked))
    for pos, (k, v, _h) in acked.items():
        assert got.get(pos) == (k, v), (topic, pos, got.get(pos), (k, v))


def test():
    with SluiceStack(partition_servers=2) as stack:
        b = stack.bootstrap
        topics = {'rs-a': 4, 'rs-b': 1, 'rs-c': 3}
        acked = {}
        for t, n in topics.items():
            clients.create_topic(b, t, partitions=n)
            acked[t] = produce(b, t, 1500, b'before')
        codes = stack.stop_all()
        assert all(c == 0 for c in codes.values()), 'exit codes on SIGTERM: %r' % codes
        stack.start_all()
        b = stack.bootstrap
        for t, n in topics.items():
            clients.wait_topic(b, t, n)
            check(b, t, n, acked[t])
        more = produce(b, 'rs-a', 200, b'after')
        ends = {}
        for (p, o) in acked['rs-a']:
            ends[p] = max(ends.get(p, -1), o)
        for (p, o) in more:
            assert o > ends.get(p, -1), ('offset reused after restart', p, o, ends.get(p))
        acked['rs-a'].update(more)
        check(b, 'rs-a', 4, acked['rs-a'])


if __name__ == '__main__':
    main_guard(test)
