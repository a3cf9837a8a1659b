#!/usr/bin/env python3
"""The replication admin APIs through the gateway, on the raw wire.

Three partition servers. Replica ids in these requests are partition-server
node ids (what `sluice topics describe` lists): the gateways that Kafka
clients see as brokers hold no replicas.

- CreateTopics v2 with an explicit assignment creates the topic with those
  replicas (the preferred leader leads); assignments together with a
  partition count are refused with INVALID_REQUEST.
- ElectLeaders v1 (preferred) answers ELECTION_NOT_NEEDED where the preferred
  leader already leads; with null partitions it leaves those out.
- AlterPartitionReassignments v0 moves a partition's replicas;
  ListPartitionReassignments v0 lists the move until it is done, and the
  coordinator then has the new replica set. An empty target is refused,
  cancelling nothing answers NO_REASSIGNMENT_IN_PROGRESS.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard  # noqa: E402
import kafka_wire as kw  # noqa: E402

CREATE_TOPICS, ELECT_LEADERS, ALTER_REASSIGNMENTS, LIST_REASSIGNMENTS = 19, 43, 45, 46
NONE, INVALID_REQUEST, INVALID_REPLICA_ASSIGNMENT = 0, 42, 39
ELECTION_NOT_NEEDED, NO_REASSIGNMENT_IN_PROGRESS = 84, 85

TOPIC = 'assigned'


# ---- flexible (compact) encodings, for the v0 reassignment APIs -------------

# kafka_wire's compact encodings, by the short names this file uses.
c_string, c_array, read_c_string, read_c_array = (kw.compact_string, kw.compact_array, kw.read_compact_string,
                                                  kw.read_compact_array)
uvarint, read_uvarint, read_tags, NO_TAGS = kw.uvarint, kw.read_uvarint, kw.read_tags, kw.NO_TAGS


def flexible_request(conn, api_key, version, body):
    """Request header v2 (client id, then tags); response header v1."""
    conn.corr += 1
    header = kw.i16(api_key) + kw.i16(version) + kw.i32(conn.corr) + kw.string('replication-admin-test') + NO_TAGS
    msg = header + body
    conn.send_raw(kw.i32(len(msg)) + msg)
    corr, r = conn.recv_response()
    assert corr == conn.corr, 'correlation id %d, expected %d' % (corr, conn.corr)
    read_tags(r)
    return r


# ---- the requests ------------------------------------------------------------

def create_topics_v2(conn, name, partitions, rf, assignments):
    """assignments: {partition: [replica ids]}."""
    body = (kw.array([name], lambda n: kw.string(n) + kw.i32(partitions) + kw.i16(rf)
                     + kw.array(sorted(assignments.items()),
                                lambda a: kw.i32(a[0]) + kw.array(a[1], kw.i32))
                     + kw.array([], None))
            + kw.i32(10000) + kw.i8(0))
    return conn.request(CREATE_TOPICS, 2, body, kw.decode_create_topics_v2)[name]


def elect_leaders_v1(conn, partitions, election_type=0):
    """partitions: {topic: [partition]} or None for every partition.
    Returns (top-level error, {(topic, partition): error})."""
    items = None if partitions is None else sorted(partitions.items())
    body = (kw.i8(election_type)
            + (kw.i32(-1) if items is None else
               kw.array(items, lambda t: kw.string(t[0]) + kw.array(t[1], kw.i32)))
            + kw.i32(10000))
    r = conn.request(ELECT_LEADERS, 1, body)
    r.i32()  # throttle
    error = r.i16()
    results = {}
    for topic, parts in r.array(lambda r: (r.string(), r.array(lambda r: (r.i32(), r.i16(), r.string())))):
        for p, e, _ in parts:
            results[(topic, p)] = e
    return error, results


def alter_reassignments_v0(conn, moves):
    """moves: {(topic, partition): [replicas] or None (cancel)}.
    Returns (top-level error, {(topic, partition): (error, message)})."""
    by_topic = {}
    for (topic, p), replicas in sorted(moves.items()):
        by_topic.setdefault(topic, []).append((p, replicas))
    body = (kw.i32(10000)
            + c_array(sorted(by_topic.items()),
                      lambda t: c_string(t[0])
                      + c_array(t[1], lambda pr: kw.i32(pr[0]) + c_array(pr[1], kw.i32) + NO_TAGS)
                      + NO_TAGS)
            + NO_TAGS)
    r = flexible_request(conn, ALTER_REASSIGNMENTS, 0, body)
    r.i32()
    error = r.i16()
    read_c_string(r)
    results = {}

    def partition(r):
        out = (r.i32(), r.i16(), read_c_string(r))
        read_tags(r)
        return out

    def topic(r):
        name = read_c_string(r)
        for p, e, m in read_c_array(r, partition):
            results[(name, p)] = (e, m)
        read_tags(r)
    read_c_array(r, topic)
    read_tags(r)
    return error, results


def list_reassignments_v0(conn, partitions=None):
    """Returns (top-level error, {(topic, partition): {replicas, adding, removing}})."""
    items = None if partitions is None else sorted(partitions.items())
    body = (kw.i32(10000)
            + c_array(items, lambda t: c_string(t[0]) + c_array(t[1], kw.i32) + NO_TAGS)
            + NO_TAGS)
    r = flexible_request(conn, LIST_REASSIGNMENTS, 0, body)
    r.i32()
    error = r.i16()
    read_c_string(r)
    ongoing = {}

    def int32(r):
        return struct.unpack('>i', r.take(4))[0]

    def partition(r):
        p = r.i32()
        out = {'replicas': read_c_array(r, int32), 'adding': read_c_array(r, int32),
               'removing': read_c_array(r, int32)}
        read_tags(r)
        return p, out

    def topic(r):
        name = read_c_string(r)
        for p, info in read_c_array(r, partition):
            ongoing[(name, p)] = info
        read_tags(r)
    read_c_array(r, topic)
    read_tags(r)
    return error, ongoing


# ---- helpers -----------------------------------------------------------------

def wait_for(what, fn, timeout=30, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError('%s within %ds (last: %r)' % (what, timeout, last))


def partitions(stack, topic):
    return {p['partition']: p for p in stack.describe(topic)['partitions']}


def produce_some(conn, topic, partition, count):
    for i in range(count):
        batch = kw.record_batch([(b'k%d' % i, b'v' * 100, [])])
        res = conn.produce(topic, partition, batch, acks=-1)[topic][0]
        assert res['error'] == NONE, 'produce to %s/%d failed: %r' % (topic, partition, res)


def test():
    with SluiceStack(partition_servers=3) as stack:
        servers = stack.partition_server_names()
        ids = wait_for('every partition server registered',
                       lambda: [stack.node_id(n) for n in servers]
                       if all(stack.node_id(n) is not None for n in servers) else None)
        a, b, c = ids
        with kw.KafkaConnection('127.0.0.1', stack.gateway_ports[0]) as conn:
            # CreateTopics: an assignment and a count at once is refused.
            err, _ = create_topics_v2(conn, 'both', 2, -1, {0: [a, b], 1: [b, c]})
            assert err == INVALID_REQUEST, 'assignments with num_partitions=2: error %d' % err

            # CreateTopics with an explicit assignment.
            assignment = {0: [a, b], 1: [b, c]}
            err, msg = create_topics_v2(conn, TOPIC, -1, -1, assignment)
            assert err == NONE, 'CreateTopics with an assignment failed: %d %r' % (err, msg)
            md = conn.metadata([TOPIC])
            t = md['topics'][0]
            assert t['error'] == NONE and t['name'] == TOPIC, md
            assert sorted(p['partition'] for p in t['partitions']) == [0, 1], md
            assert all(p['error'] == NONE and p['leader'] >= 0 for p in t['partitions']), md
            described = partitions(stack, TOPIC)
            for p, replicas in assignment.items():
                assert described[p]['replicas'] == replicas, \
                    'partition %d has replicas %r, assigned %r' % (p, described[p]['replicas'], replicas)

            # ElectLeaders (preferred) where the preferred replica leads.
            wait_for('the preferred replicas lead',
                     lambda: all(q['leader'] == assignment[i][0] for i, q in partitions(stack, TOPIC).items()))
            err, results = elect_leaders_v1(conn, {TOPIC: [0, 1]})
            assert err == NONE, 'ElectLeaders top-level error %d' % err
            assert results == {(TOPIC, 0): ELECTION_NOT_NEEDED, (TOPIC, 1): ELECTION_NOT_NEEDED}, results
            err, results = elect_leaders_v1(conn, None)
            assert err == NONE, 'ElectLeaders (all) top-level error %d' % err
            assert (TOPIC, 0) not in results and (TOPIC, 1) not in results, \
                'partitions that need no election are listed: %r' % results

            # AlterPartitionReassignments: refusals first.
            err, results = alter_reassignments_v0(conn, {(TOPIC, 0): [], (TOPIC, 1): None})
            assert err == NONE, 'AlterPartitionReassignments top-level error %d' % err
            assert results[(TOPIC, 0)][0] == INVALID_REPLICA_ASSIGNMENT, results
            assert results[(TOPIC, 1)][0] == NO_REASSIGNMENT_IN_PROGRESS, results

            # Move partition 0 from [a, b] to [c, b], with data to copy.
            produce_some(conn, TOPIC, 0, 200)
            target = [c, b]
            err, results = alter_reassignments_v0(conn, {(TOPIC, 0): target})
            assert err == NONE and results[(TOPIC, 0)][0] == NONE, \
                'reassignment refused: %r %r' % (err, results)
            seen_ongoing = None
            deadline = time.monotonic() + 60
            while True:
                err, ongoing = list_reassignments_v0(conn)
                assert err == NONE, 'ListPartitionReassignments error %d' % err
                _, named = list_reassignments_v0(conn, {TOPIC: [0, 1]})
                assert (TOPIC, 1) not in ongoing and (TOPIC, 1) not in named, ongoing
                if (TOPIC, 0) not in ongoing:
                    break
                info = ongoing[(TOPIC, 0)]
                assert c in info['adding'] and a in info['removing'], 'ongoing move: %r' % info
                assert set(info['replicas']) == {a, b, c}, 'replicas while moving: %r' % info
                seen_ongoing = info
                assert time.monotonic() < deadline, 'reassignment still running after 60s: %r' % info
                time.sleep(0.1)
            done = wait_for('the new replica set committed',
                            lambda: (lambda q: q if sorted(q['replicas']) == sorted(target) else None)(
                                partitions(stack, TOPIC)[0]))
            assert a not in done['isr'], 'removed replica still in the ISR: %r' % done
            print('created %s with assignment %r; elections not needed; moved partition 0 to %r (%s)' %
                  (TOPIC, assignment, done['replicas'],
                   'listed while running' if seen_ongoing else 'done before the first listing'))


if __name__ == '__main__':
    main_guard(test)
