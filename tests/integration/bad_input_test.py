"""Bad input on the gateway's Kafka listener, over raw sockets with our own
wire encoder: garbage, oversize and negative frames, unknown api keys and
versions close that connection (or get the right error) while a concurrent
healthy connection keeps being served; and the request-level errors:
CORRUPT_MESSAGE, UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE,
INVALID_TOPIC_EXCEPTION, INVALID_CONFIG, INVALID_PARTITIONS,
INVALID_REPLICATION_FACTOR, TOPIC_ALREADY_EXISTS."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import kafka_wire as w  # noqa: E402

REQUEST_MAX = 104857600  # socket.request.max.bytes default


def healthy(h, step):
    """The long-lived healthy connection still answers, in order."""
    v = h.api_versions()
    assert v['error'] == 0 and w.API_PRODUCE in v['apis'], (step, v)
    md = h.metadata([])
    assert md['brokers'], (step, md)


def expect_closed(gw_port, data, step, allow_error=None):
    """Sends `data` on a fresh connection; the gateway must close it (or, when
    allow_error is given, answer with that error code first)."""
    with w.KafkaConnection('127.0.0.1', gw_port, timeout=10) as c:
        try:
            c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            return 'closed during send'
        closed, got = c.closed_by_peer(timeout=10)
        if got and allow_error is not None:
            r = w.Reader(got[4:])
            r.i32()  # correlation id
            code = r.i16()
            assert code == allow_error, (step, 'answered error %d, want %d or a close' % (code, allow_error))
            return 'answered %d' % code
        assert closed, (step, 'connection not closed within 10s; got %r' % got[:64])
        assert not got, (step, 'bytes before close: %r' % got[:64])
        return 'closed'


def test_bad_frames(stack, h):
    port = stack.gateway_ports[0]
    rnd = random.Random(42)
    cases = [
        ('garbage', w.i32(64) + bytes(rnd.getrandbits(8) for _ in range(64)), None),
        ('client id longer than frame', w.i32(12) + w.i16(3) + w.i16(1) + w.i32(1) + w.i16(0x7fff) + b'ab', None),
        ('truncated metadata body', w.i32(14) + w.i16(3) + w.i16(1) + w.i32(1) + w.i16(0) + w.i32(5), None),
        ('frame over socket.request.max.bytes', w.i32(REQUEST_MAX + 1) + b'\0' * 1024, None),
        ('negative size', w.i32(-5) + b'\0' * 16, None),
        ('zero size', w.i32(0) + b'\0' * 16, None),
        ('unknown api key', w.frame(999, 0, 7, b''), None),
        ('negative api key', w.frame(-3, 0, 7, b''), None),
        ('unsupported Metadata version', w.frame(w.API_METADATA, 127, 7, w.metadata_v1([])), w.UNSUPPORTED_VERSION),
        ('unsupported Produce version', w.frame(w.API_PRODUCE, 99, 7, b'\0' * 20), w.UNSUPPORTED_VERSION),
    ]
    for step, data, allow in cases:
        outcome = expect_closed(port, data, step, allow)
        print('%-40s -> %s' % (step, outcome))
        healthy(h, step)

    # ApiVersions with a version we do not know: Kafka answers v0 with
    # UNSUPPORTED_VERSION and its version ranges, so clients can downgrade.
    with w.KafkaConnection('127.0.0.1', port) as c:
        c.send_raw(w.frame(w.API_VERSIONS, 127, 11, b''))
        corr, r = c.recv_response()
        assert corr == 11
        v = w.decode_api_versions_v0(r)
        assert v['error'] == w.UNSUPPORTED_VERSION, v
        assert w.API_VERSIONS in v['apis'], v
    healthy(h, 'after ApiVersions v127')

    # pipelined requests are answered in order
    with w.KafkaConnection('127.0.0.1', port) as c:
        c.send_raw(b''.join(w.frame(w.API_VERSIONS if i % 2 else w.API_METADATA, 0 if i % 2 else 1,
                                    100 + i, b'' if i % 2 else w.metadata_v1([])) for i in range(20)))
        for i in range(20):
            corr, _r = c.recv_response()
            assert corr == 100 + i, (corr, 100 + i)

    # slow client: a frame sent a byte at a time is still served
    with w.KafkaConnection('127.0.0.1', port) as c:
        data = w.frame(w.API_VERSIONS, 0, 55, b'')
        for b in data:
            c.send_raw(bytes([b]))
            time.sleep(0.005)
        corr, r = c.recv_response()
        assert corr == 55 and w.decode_api_versions_v0(r)['error'] == 0


def test_request_errors(stack, h):
    c = h
    res = c.create_topics([('wire-t', 2, 1, {})])
    assert res == {'wire-t': (0, None)} or res['wire-t'][0] == 0, res
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        md = c.metadata(['wire-t'])
        t = md['topics'][0]
        if t['error'] == 0 and len(t['partitions']) == 2 and all(p['leader'] >= 0 for p in t['partitions']):
            break
        time.sleep(0.2)
    else:
        raise AssertionError('wire-t not ready: %r' % md)

    assert c.create_topics([('wire-t', 2, 1, {})])['wire-t'][0] == w.TOPIC_ALREADY_EXISTS

    # Unknown topic in Metadata (auto-create is off by default)
    md = c.metadata(['no-such-topic'])
    assert md['topics'][0]['error'] == w.UNKNOWN_TOPIC_OR_PARTITION, md

    good = w.record_batch([(b'k%d' % i, b'v%d' % i, [('h', b'x')]) for i in range(5)])
    r = c.produce('wire-t', 0, good)['wire-t'][0]
    assert r['error'] == 0 and r['base_offset'] == 0, r
    r = c.produce('wire-t', 0, good, acks=-1)['wire-t'][0]
    assert r['error'] == 0 and r['base_offset'] == 5, r

    bad = w.record_batch([(b'k', b'v', [])], corrupt_crc=True)
    r = c.produce('wire-t', 0, bad)['wire-t'][0]
    assert r['error'] == w.CORRUPT_MESSAGE, r
    # A batch whose length field runs past the records bytes
    torn = good[:-3]
    r = c.produce('wire-t', 1, torn)['wire-t'][0]
    assert r['error'] == w.CORRUPT_MESSAGE, ('torn batch', r)

    r = c.produce('no-such-topic', 0, good)['no-such-topic'][0]
    assert r['error'] == w.UNKNOWN_TOPIC_OR_PARTITION, r
    r = c.produce('wire-t', 7, good)['wire-t'][0]
    assert r['error'] == w.UNKNOWN_TOPIC_OR_PARTITION, r
    assert c.metadata([])['brokers']

    # Nothing of the refused produces was appended
    f = c.fetch('wire-t', 0, 0)['wire-t'][0]
    assert f['error'] == 0 and f['high_watermark'] == 10, f
    recs = [x for _b, rs in w.parse_batches(f['records'] or b'') for x in rs]
    assert [(o, k, v) for o, k, v in recs] == [(i, b'k%d' % (i % 5), b'v%d' % (i % 5)) for i in range(10)], recs
    f = c.fetch('wire-t', 1, 0)['wire-t'][0]
    assert f['error'] == 0 and f['high_watermark'] == 0, f

    for off in (11, 1000, -5):
        f = c.fetch('wire-t', 0, off)['wire-t'][0]
        assert f['error'] == w.OFFSET_OUT_OF_RANGE, (off, f)
    f = c.fetch('wire-t', 0, 10, max_wait_ms=50)['wire-t'][0]
    assert f['error'] == 0 and not f['records'], ('fetch at the end', f)
    f = c.fetch('wire-t', 9, 0)['wire-t'][0]
    assert f['error'] == w.UNKNOWN_TOPIC_OR_PARTITION, f

    lo = c.list_offsets('wire-t', 0, -2)['wire-t'][0]
    hi = c.list_offsets('wire-t', 0, -1)['wire-t'][0]
    assert (lo['error'], lo['offset'], hi['error'], hi['offset']) == (0, 0, 0, 10), (lo, hi)
    u = c.list_offsets('no-such-topic', 0, -1)['no-such-topic'][0]
    assert u['error'] == w.UNKNOWN_TOPIC_OR_PARTITION, u

    for name in ['', '.', '..', 'a' * 250, 'bad name', 'bad/name', 'tab\tname', 'ümlaut']:
        res = c.create_topics([(name, 1, 1, {})])
        assert list(res.values())[0][0] == w.INVALID_TOPIC_EXCEPTION, (name, res)
    for cfg in [{'cleanup.policy': 'bogus'}, {'no.such.config': '1'}, {'retention.ms': 'abc'},
                {'segment.bytes': '1'}, {'min.insync.replicas': 'x'}]:
        res = c.create_topics([('cfg-t', 1, 1, cfg)])
        assert res['cfg-t'][0] == w.INVALID_CONFIG, (cfg, res)
    assert c.create_topics([('parts-t', 0, 1, {})])['parts-t'][0] == w.INVALID_PARTITIONS
    assert c.create_topics([('parts-t', -7, 1, {})])['parts-t'][0] == w.INVALID_PARTITIONS
    assert c.create_topics([('rf-t', 1, 5, {})])['rf-t'][0] == w.INVALID_REPLICATION_FACTOR
    assert c.create_topics([('vo-t', 1, 1, {})], validate_only=True)['vo-t'][0] == 0
    md = c.metadata(['cfg-t', 'parts-t', 'rf-t', 'vo-t'])
    assert all(t['error'] == w.UNKNOWN_TOPIC_OR_PARTITION for t in md['topics']), \
        'refused or validate-only topics were created: %r' % md['topics']


def rss_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) // 1024
    raise AssertionError('no VmRSS for pid %d' % pid)


def test_announced_but_unsent_frames(stack, h):
    """Clients that announce maximal frames and then send almost nothing
    must not make the gateway hold that memory (20 x 100 MiB announced)."""
    import socket
    gateway = stack.service('gateway-0').proc.pid
    before = rss_mib(gateway)
    socks = []
    try:
        for _ in range(20):
            s = socket.create_connection(('127.0.0.1', stack.gateway_ports[0]), timeout=5)
            s.sendall(w.i32(REQUEST_MAX) + w.i16(w.API_METADATA) + w.i16(1) + w.i32(1) + w.i16(0))
            socks.append(s)
        time.sleep(1.0)
        healthy(h, 'with 20 announced 100 MiB frames pending')
        grown = rss_mib(gateway) - before
        print('gateway RSS grew by %d MiB with 2000 MiB announced' % grown)
        assert grown < 256, 'gateway RSS grew by %d MiB for frames that never arrived' % grown
    finally:
        for s in socks:
            s.close()


def test():
    with SluiceStack(partition_servers=1) as stack:
        with w.KafkaConnection('127.0.0.1', stack.gateway_ports[0]) as h:
            healthy(h, 'start')
            test_bad_frames(stack, h)
            test_request_errors(stack, h)
            test_announced_but_unsent_frames(stack, h)
            healthy(h, 'end')
        for name, s in stack.services.items():
            assert s.running(), '%s died during the bad-input test' % name


if __name__ == '__main__':
    main_guard(test)
