#!/usr/bin/env python3
"""Idempotence and transactions on the raw wire (tests/fixtures/kafka_wire.py,
written apart from Sluice's codec), bad input first. Each case checks the
error code Kafka 4 gives and that nothing was written twice or at all:

- InitProducerId without a transactional.id: a new producer id, epoch 0;
- a retried batch (same producer, epoch, sequences): its original offset back,
  no second copy;
- a sequence gap: OUT_OF_ORDER_SEQUENCE_NUMBER, nothing written;
- an older epoch: INVALID_PRODUCER_EPOCH; a newer epoch not starting at
  sequence 0: OUT_OF_ORDER_SEQUENCE_NUMBER;
- a transactional batch in a Produce without a transactional.id:
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED (Kafka refuses the whole request);
- a transactional batch for a partition never added to the transaction
  (Produce v3 and v11): INVALID_TXN_STATE, nothing written (KIP-890
  verification by the partition leader);
- TxnOffsetCommit (v3) for a group whose offsets partition is not in the
  transaction (no AddOffsetsToTxn), or once the transaction was aborted:
  INVALID_TXN_STATE, and nothing becomes the group's offset (the group
  coordinator verifies with the transaction coordinator);
- transaction version 2 on the wire (KIP-890 part 2): ApiVersions v4 lists
  the feature transaction.version (supported 0-2, finalized 2; v3 only the
  finalized level, as Kafka, since it cannot carry a minimum of 0); a Produce v12
  transactional batch with no AddPartitionsToTxn is written (the leader adds
  the partition); TxnOffsetCommit v4 without AddOffsetsToTxn is refused
  (INVALID_TXN_STATE) while v5 adds the offsets partition itself, its
  offsets invisible until the commit; EndTxn v5 answers the same producer id
  at epoch + 1; a late batch at the old epoch gets INVALID_PRODUCER_EPOCH
  and is not written; read_committed sees the committed record and the
  group its offset;
- EndTxn for an unknown transactional.id: INVALID_PRODUCER_ID_MAPPING;
- an empty transactional.id: INVALID_REQUEST; one longer than a Kafka string
  can be (over 32767 bytes, in a flexible InitProducerId): the request is
  refused (connection closed or INVALID_REQUEST) and a healthy connection
  keeps being served;
- a transaction on the wire: while open, the last stable offset stays at its
  first offset (Fetch and ListOffsets under read_committed); after an abort
  read_committed Fetch lists it in aborted_transactions and the LSO moves
  past its marker, a control batch in Kafka's format.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import clients  # noqa: E402
import kafka_wire as w  # noqa: E402
from kafka_wire_flexible import API_TXN_OFFSET_COMMIT, Flexible  # noqa: E402

TXN_COORDINATOR = 1  # FindCoordinator key type
API_ADD_OFFSETS_TO_TXN = 25


class Wire:
    """The stack's gateway and one long-lived connection to it."""

    def __init__(self, stack):
        self.stack = stack
        self.port = stack.gateway_ports[0]
        self.c = None
        self.reconnect()

    def reconnect(self):
        """A fresh connection per check: one check's refused request must
        not fail the next."""
        if self.c is not None:
            self.c.close()
        self.c = w.KafkaConnection('127.0.0.1', self.port, timeout=15)
        self.flex = Flexible(self.c)

    def supports(self, api_key, version):
        apis = self.c.api_versions()['apis']
        assert api_key in apis and apis[api_key][0] <= version <= apis[api_key][1], \
            'the gateway does not serve api %d v%d: %r' % (api_key, version, apis.get(api_key))

    def topic(self, name):
        clients.create_topic(self.stack.bootstrap, name, 1)
        return name

    def producer_id(self):
        self.supports(w.API_INIT_PRODUCER_ID, 1)
        r = self.c.init_producer_id(None)
        assert r['error'] == w.NONE and r['producer_id'] >= 0 and r['producer_epoch'] == 0, r
        return r['producer_id']

    def produce(self, topic, values, pid, epoch, seq, transactional=False, transactional_id=None):
        batch = w.record_batch([(None, v, []) for v in values], producer_id=pid, producer_epoch=epoch,
                               base_sequence=seq, transactional=transactional)
        [p] = self.c.produce(topic, 0, batch, acks=-1, transactional_id=transactional_id)[topic]
        return p

    def fetch(self, topic, isolation=w.READ_UNCOMMITTED):
        [p] = self.c.fetch(topic, 0, 0, isolation=isolation)[topic]
        assert p['error'] == w.NONE, p
        return p

    def values(self, topic):
        return [v for _, recs in w.parse_batches(self.fetch(topic)['records'] or b'') for _, _, v in recs]

    def latest(self, topic, isolation=w.READ_UNCOMMITTED):
        [p] = self.c.list_offsets_v2(topic, 0, -1, isolation)[topic]
        assert p['error'] == w.NONE, p
        return p['offset']

    def transaction(self, tid, timeout_ms=60000):
        self.supports(w.API_FIND_COORDINATOR, 1)
        self.supports(w.API_INIT_PRODUCER_ID, 1)
        deadline = time.monotonic() + 30
        while True:
            fc = self.c.find_coordinator(tid, TXN_COORDINATOR)
            if fc['error'] == w.NONE:
                break
            assert time.monotonic() < deadline, 'no transaction coordinator for %s: %r' % (tid, fc)
            time.sleep(0.2)
        with w.KafkaConnection(fc['host'], fc['port'], timeout=15) as coord:
            while True:
                r = coord.init_producer_id(tid, timeout_ms)
                if r['error'] not in (14, 15, 16, 51):  # loading / not available / not coordinator / concurrent
                    break
                assert time.monotonic() < deadline, r
                time.sleep(0.2)
        assert r['error'] == w.NONE and r['producer_id'] >= 0, r
        return r['producer_id'], r['producer_epoch']


def init_producer_id(wire):
    a, b = wire.producer_id(), wire.producer_id()
    assert a != b, 'the same producer id twice: %d' % a


def duplicate(wire):
    t = wire.topic('dup')
    pid = wire.producer_id()
    first = wire.produce(t, [b'a', b'b', b'c'], pid, 0, 0)
    assert first['error'] == w.NONE, first
    again = wire.produce(t, [b'a', b'b', b'c'], pid, 0, 0)
    assert again['error'] == w.NONE and again['base_offset'] == first['base_offset'], (first, again)
    nxt = wire.produce(t, [b'd', b'e'], pid, 0, 3)
    assert nxt['error'] == w.NONE and nxt['base_offset'] == first['base_offset'] + 3, nxt
    assert wire.values(t) == [b'a', b'b', b'c', b'd', b'e'], wire.values(t)


def sequence_gap(wire):
    t = wire.topic('gap')
    pid = wire.producer_id()
    assert wire.produce(t, [b'a', b'b'], pid, 0, 0)['error'] == w.NONE
    gap = wire.produce(t, [b'x'], pid, 0, 5)
    assert gap['error'] == w.OUT_OF_ORDER_SEQUENCE_NUMBER, gap
    assert wire.latest(t) == 2 and wire.values(t) == [b'a', b'b']
    assert wire.produce(t, [b'c'], pid, 0, 2)['error'] == w.NONE, 'the right next sequence is refused'


def wrong_epoch(wire):
    t = wire.topic('epoch')
    pid = wire.producer_id()
    assert wire.produce(t, [b'a'], pid, 0, 0)['error'] == w.NONE
    bumped = wire.produce(t, [b'b'], pid, 1, 0)
    assert bumped['error'] == w.NONE, 'a newer epoch starting at sequence 0 refused: %r' % bumped
    old = wire.produce(t, [b'x'], pid, 0, 1)
    assert old['error'] == w.INVALID_PRODUCER_EPOCH, old
    newer = wire.produce(t, [b'y'], pid, 2, 3)
    assert newer['error'] == w.OUT_OF_ORDER_SEQUENCE_NUMBER, newer
    assert wire.values(t) == [b'a', b'b'], wire.values(t)


def transactional_without_id(wire):
    t = wire.topic('txn-no-id')
    pid = wire.producer_id()
    r = wire.produce(t, [b'x'], pid, 0, 0, transactional=True, transactional_id=None)
    assert r['error'] == w.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, r
    assert wire.latest(t) == 0


def transactional_not_added(wire):
    """KIP-890 part 1: the leader asks the transaction coordinator before
    writing a batch that would open a transaction in the partition."""
    t = wire.topic('txn-not-added')
    tid = 'wire-not-added'
    pid, epoch = wire.transaction(tid)
    r = wire.produce(t, [b'x'], pid, epoch, 0, transactional=True, transactional_id=tid)
    assert r['error'] == w.INVALID_TXN_STATE, 'Produce v3: %r' % r
    wire.supports(w.API_PRODUCE, 11)
    batch = w.record_batch([(None, b'y', [])], producer_id=pid, producer_epoch=epoch, base_sequence=0,
                           transactional=True)
    r = wire.flex.produce(11, t, 0, batch, transactional_id=tid)
    assert r['error'] == w.INVALID_TXN_STATE, 'Produce v11: %r' % r
    assert wire.latest(t) == 0, 'a refused transactional batch was written'


def txn_offsets_outside_the_transaction(wire):
    """KIP-890 part 1 for TxnOffsetCommit: the group coordinator verifies the
    group's offsets partition with the transaction coordinator first."""
    t = wire.topic('txn-offsets')
    tid, group = 'wire-offsets', 'wire-offsets-group'
    pid, epoch = wire.transaction(tid)
    wire.supports(API_TXN_OFFSET_COMMIT, 3)
    refused = wire.flex.txn_offset_commit(3, tid, group, pid, epoch, t, {0: 5})
    assert refused == {0: w.INVALID_TXN_STATE}, 'without AddOffsetsToTxn: %r' % refused

    wire.supports(API_ADD_OFFSETS_TO_TXN, 1)
    body = w.string(tid) + w.i64(pid) + w.i16(epoch) + w.string(group)
    r = wire.c.request(API_ADD_OFFSETS_TO_TXN, 1, body)
    r.i32()  # throttle
    assert r.i16() == w.NONE, 'AddOffsetsToTxn refused'
    ended = wire.c.end_txn(tid, pid, epoch, False)
    assert ended['error'] == w.NONE, ended
    # A TxnOffsetCommit arriving after its transaction was aborted would
    # stay pending with no marker to come: refused instead (once the abort
    # is complete; CONCURRENT_TRANSACTIONS while its markers are written).
    deadline = time.monotonic() + 30
    while True:
        late = wire.flex.txn_offset_commit(3, tid, group, pid, epoch, t, {0: 7})
        if late != {0: 51}:
            break
        assert time.monotonic() < deadline, late
        time.sleep(0.1)
    assert late == {0: w.INVALID_TXN_STATE}, 'after the abort: %r' % late
    assert wire.flex.offset_fetch(group, t, [0])[0] == (-1, w.NONE), wire.flex.offset_fetch(group, t, [0])


def transaction_version_feature(wire):
    v4 = wire.flex.api_versions(4)
    assert v4['error'] == w.NONE, v4
    assert v4['supported'].get('transaction.version') == (0, 2), v4['supported']
    assert v4['finalized'].get('transaction.version') == (2, 2), v4['finalized']
    assert v4['finalized_epoch'] >= 0, v4
    for key, version in ((w.API_PRODUCE, 12), (w.API_END_TXN, 5), (API_TXN_OFFSET_COMMIT, 5)):
        lo, hi = v4['apis'].get(key, (None, -1))
        assert hi >= version, 'api %d served up to v%d, want v%d' % (key, hi, version)
    # v3 cannot carry a supported minimum of 0: Kafka leaves such a feature
    # out of the supported list there (KAFKA-17492), not out of the finalized.
    v3 = wire.flex.api_versions(3)
    assert v3['error'] == w.NONE, v3
    assert 'transaction.version' not in v3['supported'], v3['supported']
    assert v3['finalized'].get('transaction.version') == (2, 2), v3['finalized']
    assert v3['finalized_epoch'] >= 0, v3


def transaction_version_2(wire):
    t = wire.topic('txn-tv2')
    tid, group = 'wire-tv2', 'wire-tv2-group'
    pid, epoch = wire.transaction(tid)
    wire.supports(w.API_PRODUCE, 12)
    wire.supports(w.API_END_TXN, 5)
    wire.supports(API_TXN_OFFSET_COMMIT, 5)

    def batch(value, at_epoch, seq):
        return w.record_batch([(None, value, [])], producer_id=pid, producer_epoch=at_epoch, base_sequence=seq,
                              transactional=True)

    # No AddPartitionsToTxn: Produce v12 has the leader add the partition.
    r = wire.flex.produce(12, t, 0, batch(b'tv2-1', epoch, 0), transactional_id=tid)
    assert r['error'] == w.NONE and r['base_offset'] == 0, r
    assert wire.fetch(t, w.READ_COMMITTED)['last_stable_offset'] == 0, 'the transaction is not open'

    # TxnOffsetCommit v4 only verifies: the offsets partition was never added.
    refused = wire.flex.txn_offset_commit(4, tid, group, pid, epoch, t, {0: 1})
    assert refused == {0: w.INVALID_TXN_STATE}, 'TxnOffsetCommit v4 without AddOffsetsToTxn: %r' % refused
    # v5 adds it (the group coordinator asks the transaction coordinator to).
    deadline = time.monotonic() + 30
    while True:
        added = wire.flex.txn_offset_commit(5, tid, group, pid, epoch, t, {0: 1})
        if added != {0: 14} and added != {0: 51}:  # loading / concurrent: retried, as clients do
            break
        assert time.monotonic() < deadline, added
        time.sleep(0.2)
    assert added == {0: w.NONE}, 'TxnOffsetCommit v5: %r' % added
    assert wire.flex.offset_fetch(group, t, [0])[0][0] == -1, 'a pending transactional offset is visible'

    ended = wire.flex.end_txn(5, tid, pid, epoch, True)
    assert ended == {'error': w.NONE, 'producer_id': pid, 'producer_epoch': epoch + 1}, ended

    deadline = time.monotonic() + 30
    while wire.fetch(t, w.READ_COMMITTED)['last_stable_offset'] != 2:
        assert time.monotonic() < deadline, 'the commit marker did not move the LSO: %r' % wire.fetch(t, w.READ_COMMITTED)
        time.sleep(0.1)
    committed = wire.fetch(t, w.READ_COMMITTED)
    assert [v for _, recs in w.parse_batches(committed['records'] or b'') for _, _, v in recs] == [b'tv2-1'], committed
    assert committed['aborted_transactions'] in (None, []), committed

    # A zombie batch at the epoch the commit replaced.
    late = wire.flex.produce(12, t, 0, batch(b'zombie', epoch, 1), transactional_id=tid)
    assert late['error'] == w.INVALID_PRODUCER_EPOCH, 'a batch at the old epoch: %r' % late
    assert wire.latest(t) == 2, 'the old epoch\'s batch was written'

    # The offsets partition got its marker too: the offset is the group's.
    deadline = time.monotonic() + 30
    while wire.flex.offset_fetch(group, t, [0])[0] != (1, w.NONE):
        assert time.monotonic() < deadline, 'the committed offset: %r' % (wire.flex.offset_fetch(group, t, [0]),)
        time.sleep(0.1)

    # The next transaction at the new epoch starts at sequence 0.
    r = wire.flex.produce(12, t, 0, batch(b'tv2-2', epoch + 1, 0), transactional_id=tid)
    assert r['error'] == w.NONE and r['base_offset'] == 2, r
    ended = wire.flex.end_txn(5, tid, pid, epoch + 1, False)
    assert ended == {'error': w.NONE, 'producer_id': pid, 'producer_epoch': epoch + 2}, ended


def end_txn_unknown(wire):
    wire.supports(w.API_END_TXN, 1)
    r = wire.c.end_txn('wire-never-initialised', 123456789, 0, True)
    assert r['error'] == w.INVALID_PRODUCER_ID_MAPPING, r


def transactional_id_limits(wire):
    wire.supports(w.API_INIT_PRODUCER_ID, 1)
    empty = wire.c.init_producer_id('')
    assert empty['error'] == w.INVALID_REQUEST, empty
    wire.supports(w.API_INIT_PRODUCER_ID, 2)
    with w.KafkaConnection('127.0.0.1', wire.port, timeout=10) as c:
        c.send_raw(w.frame(w.API_INIT_PRODUCER_ID, 2, 1, w.init_producer_id_v2('t' * 40000), flexible=True))
        closed, got = c.closed_by_peer(timeout=10)
        if got:
            r = w.Reader(got[4:])
            r.i32()
            answer = w.decode_init_producer_id_v2(r)
            assert answer['error'] == w.INVALID_REQUEST, 'a 40000-byte transactional.id: %r' % answer
        else:
            assert closed, 'a 40000-byte transactional.id: neither answered nor closed'
    assert wire.c.api_versions()['error'] == w.NONE  # the healthy connection is still served


def control_record(batch_records):
    """(type, coordinator epoch) of a control batch's only record."""
    [(_, key, value)] = batch_records
    version, kind = struct.unpack('>hh', key)
    vversion, coordinator_epoch = struct.unpack('>hi', value)
    assert version == 0 and vversion == 0, (key, value)
    return kind, coordinator_epoch


def aborted_on_the_wire(wire):
    t = wire.topic('txn-wire')
    tid = 'wire-abort'
    pid, epoch = wire.transaction(tid)
    wire.supports(w.API_ADD_PARTITIONS_TO_TXN, 1)
    added = wire.c.add_partitions_to_txn(tid, pid, epoch, t, [0])
    assert added == {t: {0: w.NONE}}, added
    assert wire.produce(t, [b'plain'], -1, -1, -1)['error'] == w.NONE  # offset 0, outside the transaction
    r = wire.produce(t, [b'in-txn-1', b'in-txn-2'], pid, epoch, 0, transactional=True, transactional_id=tid)
    assert r['error'] == w.NONE and r['base_offset'] == 1, r

    open_c = wire.fetch(t, w.READ_COMMITTED)
    assert open_c['high_watermark'] == 3 and open_c['last_stable_offset'] == 1, open_c
    assert [v for _, recs in w.parse_batches(open_c['records'] or b'') for _, _, v in recs] == [b'plain'], open_c
    assert wire.latest(t, w.READ_COMMITTED) == 1 and wire.latest(t, w.READ_UNCOMMITTED) == 3

    ended = wire.c.end_txn(tid, pid, epoch, False)
    assert ended['error'] == w.NONE, ended
    deadline = time.monotonic() + 30
    while wire.fetch(t, w.READ_COMMITTED)['last_stable_offset'] != 4:
        assert time.monotonic() < deadline, 'the abort marker did not move the LSO: %r' % wire.fetch(t, w.READ_COMMITTED)
        time.sleep(0.1)
    done = wire.fetch(t, w.READ_COMMITTED)
    assert done['high_watermark'] == 4 and done['aborted_transactions'] == [(pid, 1)], done
    batches = w.parse_batches(done['records'], with_attributes=True)
    assert [b for b, _, _ in batches] == [0, 1, 3], batches
    _, marker, info = batches[2]
    assert info['attributes'] & (w.TRANSACTIONAL_BIT | w.CONTROL_BIT) == w.TRANSACTIONAL_BIT | w.CONTROL_BIT, info
    assert info['producer_id'] == pid and info['base_sequence'] == -1, info
    kind, _ = control_record(marker)
    assert kind == 0, 'an abort marker of type %d' % kind
    assert wire.latest(t, w.READ_COMMITTED) == 4
    assert wire.fetch(t, w.READ_UNCOMMITTED)['aborted_transactions'] in (None, []), 'read_uncommitted lists aborts'


def test():
    with SluiceStack() as stack:
        wire = Wire(stack)
        checks = [('InitProducerId', init_producer_id), ('duplicate batch', duplicate),
                  ('sequence gap', sequence_gap), ('wrong epoch', wrong_epoch),
                  ('transactional batch without transactional.id', transactional_without_id),
                  ('transactional batch outside the transaction', transactional_not_added),
                  ('TxnOffsetCommit outside the transaction', txn_offsets_outside_the_transaction),
                  ('transaction.version in ApiVersions v3 and v4', transaction_version_feature),
                  ('transaction version 2 on the wire', transaction_version_2),
                  ('EndTxn for an unknown transactional.id', end_txn_unknown),
                  ('transactional.id limits', transactional_id_limits),
                  ('an aborted transaction on the wire', aborted_on_the_wire)]
        try:
            run_checks(wire, [(name, lambda wire, fn=fn: (wire.reconnect(), fn(wire))) for name, fn in checks])
        finally:
            wire.c.close()
        for name in stack.order:
            assert stack.service(name).running(), '%s died' % name


if __name__ == '__main__':
    main_guard(test)
