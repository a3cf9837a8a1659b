"""Fetch sessions (KIP-227) on a real gateway, over raw sockets with our own
encoder of Fetch v12 (topic names) and v13 (topic ids), written from Kafka's
message definitions: a full fetch at epoch 0 opens a session; incremental
requests read the whole session and answer only the partitions with
something new; epochs, forgotten partitions, FETCH_SESSION_ID_NOT_FOUND,
INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR, UNKNOWN_TOPIC_ID;
a session is the gateway's, not the connection's; epoch -1 closes it; and
`--max-incremental-fetch-session-cache-slots` bounds the cache."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import kafka_wire as w  # noqa: E402
from kafka_wire import NO_TAGS, Reader, compact_array, compact_string, i8, i32, i64  # noqa: E402
from kafka_wire_flexible import response_header_v1  # noqa: E402

TOPIC = 'fs'
SLOTS = 2
FETCH_SESSION_ID_NOT_FOUND = 70
INVALID_FETCH_SESSION_EPOCH = 71
UNKNOWN_TOPIC_ID = 100
FETCH_SESSION_TOPIC_ID_ERROR = 106


def metadata_v12_topic_id(c, topic):
    """The topic's id, from Metadata v12."""
    body = compact_array([topic], lambda t: bytes(16) + compact_string(t) + NO_TAGS) + i8(0) + i8(0) + NO_TAGS
    r = response_header_v1(c.request(w.API_METADATA, 12, body, flexible=True))
    r.i32()
    w.read_compact_array(r, lambda r: (r.i32(), w.read_compact_string(r), r.i32(), w.read_compact_string(r),
                                       w.read_tags(r)))
    w.read_compact_string(r)
    r.i32()
    topics = w.read_compact_array(r, lambda r: (r.i16(), w.read_compact_string(r), r.take(16), r.i8(),
                                                w.read_compact_array(r, skip_partition), r.i32(), w.read_tags(r)))
    [(error, name, topic_id, _, _, _, _)] = topics
    assert error == 0 and name == topic, topics
    return bytes(topic_id)


def skip_partition(r):
    r.i16(); r.i32(); r.i32(); r.i32()
    for _ in range(3):
        w.read_compact_array(r, lambda r: r.i32())
    w.read_tags(r)


def fetch(c, version, session_id, epoch, topics=(), forgotten=(), max_wait_ms=0):
    """Fetch v12-17. topics: [(name, or 16-byte id from v13, [(partition,
    offset)])]; forgotten: [(name or id, [partitions])]. Returns {'error',
    'session_id', 'partitions': {(topic, partition): {'error', 'hw',
    'offsets'}}, 'order': [(topic, partition)]}."""
    ref = (lambda t: compact_string(t)) if version < 13 else (lambda t: t)
    part = lambda p: (i32(p[0]) + i32(-1) + i64(p[1]) + i32(-1) + i64(-1)  # noqa: E731
                      + i32(1 << 20) + NO_TAGS)
    body = (i32(-1) if version < 15 else b'') + i32(max_wait_ms) + i32(1) + i32(1 << 20) + i8(0)
    body += i32(session_id) + i32(epoch)
    body += compact_array(list(topics), lambda t: ref(t[0]) + compact_array(t[1], part) + NO_TAGS)
    body += compact_array(list(forgotten), lambda t: ref(t[0]) + compact_array(t[1], i32) + NO_TAGS)
    body += compact_string('') + NO_TAGS
    r = response_header_v1(c.request(w.API_FETCH, version, body, flexible=True))
    out = {'partitions': {}, 'order': []}
    r.i32()
    out['error'] = r.i16()
    out['session_id'] = r.i32()

    def partition(r, topic):
        index, error, hw = r.i32(), r.i16(), r.i64()
        r.i64(); r.i64()
        w.read_compact_array(r, lambda r: (r.i64(), r.i64(), w.read_tags(r)))
        r.i32()
        n = w.read_uvarint(r)
        records = b'' if n == 0 else r.take(n - 1)
        w.read_tags(r)
        offsets = [o for _, recs in w.parse_batches(records) for o, _, _ in recs]
        out['partitions'][(topic, index)] = {'error': error, 'hw': hw, 'offsets': offsets}
        out['order'].append((topic, index))

    def topic(r):
        name = w.read_compact_string(r) if version < 13 else bytes(r.take(16))
        w.read_compact_array(r, lambda r: partition(r, name))
        w.read_tags(r)

    w.read_compact_array(r, topic)
    w.read_tags(r)
    return out


def produce(c, partition, n):
    batch = w.record_batch([(None, b'v', []) for _ in range(n)])
    r = c.produce(TOPIC, partition, batch, acks=-1)[TOPIC][0]
    assert r['error'] == 0, r


def connect(stack):
    return w.KafkaConnection('127.0.0.1', stack.gateway_ports[0], timeout=15)


def setup(stack):
    c = connect(stack)
    res = c.create_topics([(TOPIC, 3, 1, {})])
    assert res[TOPIC][0] == 0, res
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        t = c.metadata([TOPIC])['topics'][0]
        if t['error'] == 0 and len(t['partitions']) == 3 and all(p['leader'] >= 0 for p in t['partitions']):
            break
        time.sleep(0.2)
    else:
        raise AssertionError('%s not ready' % TOPIC)
    produce(c, 0, 5)
    produce(c, 2, 3)
    return c


def test_sessions_by_name(state):
    stack, c = state['stack'], state['c']
    all_three = [(TOPIC, [(0, 0), (1, 0), (2, 0)])]
    full = fetch(c, 12, 0, 0, all_three)
    assert full['error'] == 0 and full['session_id'] != 0, full
    sid = state['sid'] = full['session_id']
    assert full['order'] == [(TOPIC, 0), (TOPIC, 1), (TOPIC, 2)], full
    assert full['partitions'][(TOPIC, 0)]['offsets'] == [0, 1, 2, 3, 4], full
    assert full['partitions'][(TOPIC, 1)]['offsets'] == [], full
    assert full['partitions'][(TOPIC, 2)]['offsets'] == [0, 1, 2], full

    # Epoch 1: the new positions, and nothing new anywhere: no partitions.
    inc = fetch(c, 12, sid, 1, [(TOPIC, [(0, 5), (2, 3)])], max_wait_ms=200)
    assert inc['error'] == 0 and inc['session_id'] == sid and inc['order'] == [], inc

    # Epoch 2 names no partition, yet the session reads all three: only p1,
    # which got records, is answered.
    produce(c, 1, 2)
    inc = fetch(c, 12, sid, 2, max_wait_ms=2000)
    assert inc['error'] == 0 and inc['session_id'] == sid, inc
    assert inc['order'] == [(TOPIC, 1)], inc
    assert inc['partitions'][(TOPIC, 1)]['offsets'] == [0, 1] and inc['partitions'][(TOPIC, 1)]['hw'] == 2, inc

    # Epoch 2 again (a retry): refused, and the session does not move.
    again = fetch(c, 12, sid, 2)
    assert again['error'] == INVALID_FETCH_SESSION_EPOCH and again['session_id'] == 0, again
    assert again['order'] == [], again

    # The session is the gateway's: another connection carries it on.
    # Epoch 3 moves p1 on and forgets p0: records on p0 no longer come.
    with connect(stack) as other:
        inc = fetch(other, 12, sid, 3, [(TOPIC, [(1, 2)])], forgotten=[(TOPIC, [0])], max_wait_ms=200)
        assert inc['error'] == 0 and inc['session_id'] == sid and inc['order'] == [], inc
    produce(c, 0, 4)
    produce(c, 2, 1)
    inc = fetch(c, 12, sid, 4, max_wait_ms=2000)
    assert inc['order'] == [(TOPIC, 2)], inc
    assert inc['partitions'][(TOPIC, 2)]['offsets'] == [3], inc

    # Added back, p0 answers from the offset the request gives.
    inc = fetch(c, 12, sid, 5, [(TOPIC, [(0, 5), (2, 4)])], max_wait_ms=2000)
    assert inc['order'] == [(TOPIC, 0)], inc
    assert inc['partitions'][(TOPIC, 0)]['offsets'] == [5, 6, 7, 8], inc
    state['sid_epoch'] = 6


def test_unknown_session(state):
    c, sid = state['c'], state['sid']
    bad = fetch(c, 12, sid ^ 0x5A5A, 1)
    assert bad['error'] == FETCH_SESSION_ID_NOT_FOUND and bad['session_id'] == 0 and bad['order'] == [], bad


def test_sessions_by_topic_id(state):
    stack, c = state['stack'], state['c']
    tid = metadata_v12_topic_id(c, TOPIC)
    unknown = bytes([0xAB] * 16)
    with connect(stack) as c13:
        full = fetch(c13, 13, 0, 0, [(tid, [(0, 0), (2, 0)]), (unknown, [(0, 0)])])
        assert full['error'] == 0 and full['session_id'] != 0, full
        assert full['order'] == [(tid, 0), (tid, 2), (unknown, 0)], full
        assert full['partitions'][(tid, 0)]['offsets'] == list(range(9)), full
        assert full['partitions'][(unknown, 0)]['error'] == UNKNOWN_TOPIC_ID, full
        sid13 = state['sid13'] = full['session_id']
        # The unknown id stays in the session, and errors are always answered.
        inc = fetch(c13, 17, sid13, 1, [(tid, [(0, 9), (2, 4)])], max_wait_ms=100)
        assert inc['error'] == 0 and inc['order'] == [(unknown, 0)], inc
        inc = fetch(c13, 17, sid13, 2, forgotten=[(unknown, [0])], max_wait_ms=100)
        assert inc['error'] == 0 and inc['order'] == [], inc
        produce(c, 2, 2)
        inc = fetch(c13, 15, sid13, 3, max_wait_ms=2000)
        assert inc['order'] == [(tid, 2)] and inc['partitions'][(tid, 2)]['offsets'] == [4, 5], inc
        # A session by ids refuses a request by names, and the other way round.
        mixed = fetch(c13, 12, sid13, 4)
        assert mixed['error'] == FETCH_SESSION_TOPIC_ID_ERROR, mixed
        mixed = fetch(c, 13, state['sid'], state['sid_epoch'])
        assert mixed['error'] == FETCH_SESSION_TOPIC_ID_ERROR, mixed


def test_cache_slots(state):
    c = state['c']
    # Both slots are taken by young sessions: a third full fetch is answered
    # without a session, as Kafka does when its cache has no room.
    third = fetch(c, 12, 0, 0, [(TOPIC, [(1, 0)])])
    assert third['error'] == 0 and third['session_id'] == 0, third
    assert third['partitions'][(TOPIC, 1)]['offsets'] == [0, 1], third
    # Epoch -1 closes a session: its id is gone, and its slot is free again.
    closing = fetch(c, 12, state['sid'], -1, [(TOPIC, [(1, 0)])])
    assert closing['error'] == 0 and closing['session_id'] == 0, closing
    gone = fetch(c, 12, state['sid'], state['sid_epoch'])
    assert gone['error'] == FETCH_SESSION_ID_NOT_FOUND, gone
    fourth = fetch(c, 12, 0, 0, [(TOPIC, [(1, 0)])])
    assert fourth['session_id'] != 0, fourth


@main_guard
def main():
    with SluiceStack(gateway_args=['--max-incremental-fetch-session-cache-slots', str(SLOTS)]) as stack:
        stack.wait_cluster()
        state = {'stack': stack, 'c': setup(stack)}
        run_checks(state, [
            ('sessions by name', test_sessions_by_name),
            ('unknown session', test_unknown_session),
            ('sessions by topic id', test_sessions_by_topic_id),
            ('cache slots', test_cache_slots),
        ])
