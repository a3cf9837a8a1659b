#!/usr/bin/env python3
"""DeleteRecords end to end: Kafka's kafka-delete-records tool
(DeleteRecordsCommand, the Java admin's deleteRecords) against three
partition servers and a topic with replication factor 3.

1. 100 records in each of two partitions (1 KiB segments, so several roll).
   `kafka-delete-records --offset-json-file` deletes below offset 42 of
   partition 0 and below the high watermark (-1) of partition 1; it prints
   the low watermarks 42 and 100 (answered once every ISR replica moved its
   log start).
2. Every client sees it: ListOffsets earliest (confluent-kafka's watermarks)
   is 42 / 100; a consumer from the beginning gets offsets 42..99 and
   nothing of partition 1; kcat from the beginning the same; a fetch at
   offset 10 is OFFSET_OUT_OF_RANGE (auto.offset.reset=error).
3. Every replica followed: each partition server's log-start-offset-checkpoint
   says 42, and its segments wholly below 42 went on the retention tick.
4. An offset past the high watermark is OffsetOutOfRangeException; a
   compacted topic refuses with PolicyViolationException.
5. Every partition server restarted (all stopped, then all started): the
   same answers as in 2.

Alongside, `kafka-log-dirs --describe` (LogDirsCommand, the Java admin's
describeLogDirs, DescribeLogDirs sent to each broker id's own address): each
broker id lists one log dir, its partition server's data directory, with a
replica of each partition (leader or follower), sized as the bytes of that
replica's segment files on disk; after the DeleteRecords and the retention
tick every replica is smaller, still equal to its files. While every
partition server is down, DescribeLogDirs to the gateway answers at once
with BROKER_NOT_AVAILABLE and no log dir.
"""
import glob
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

import confluent_kafka  # noqa: E402
from confluent_kafka import TopicPartition  # noqa: E402
from sluice_stack import SluiceStack, main_guard, run  # noqa: E402
import clients  # noqa: E402
import java_clients  # noqa: E402
import kafka_wire  # noqa: E402

TOPIC = 'trimmed'
COMPACTED = 'compacted'
RECORDS = 100
DELETE_BELOW = 42


def delete_records(stack, offsets):
    """kafka-delete-records with `offsets` {(topic, partition): offset};
    returns {'<topic>-<partition>': 'low_watermark: N' or 'error: ...'}."""
    spec = {'version': 1, 'partitions': [{'topic': t, 'partition': p, 'offset': o}
                                         for (t, p), o in sorted(offsets.items())]}
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(spec, f)
    try:
        _, out, _ = java_clients.run('org.apache.kafka.tools.DeleteRecordsCommand', '--bootstrap-server',
                                     stack.bootstrap, '--offset-json-file', f.name, timeout=120)
    finally:
        os.unlink(f.name)
    answers = {}
    for line in out:
        if line.startswith('partition: '):
            name, _, result = line[len('partition: '):].partition('\t')
            answers[name] = result
    assert len(answers) == len(offsets), out
    return answers


def log_dirs(stack):
    """kafka-log-dirs --describe for every partition server's id and TOPIC;
    returns {broker id: [log dir entries]} from the tool's JSON."""
    ids = sorted(stack.node_id(n) for n in stack.partition_server_names())
    _, out, _ = java_clients.run('org.apache.kafka.tools.LogDirsCommand', '--bootstrap-server', stack.bootstrap,
                                 '--describe', '--broker-list', ','.join(map(str, ids)), '--topic-list', TOPIC,
                                 timeout=120)
    assert 'Received log directory information from brokers %s' % ','.join(map(str, ids)) in out, out
    doc = json.loads(next(line for line in out if line.startswith('{')))
    return {b['broker']: b['logDirs'] for b in doc['brokers']}


def check_log_dirs(stack):
    """Each broker id: one log dir, its partition server's data directory,
    a replica of each partition of TOPIC sized as its .log files on disk.
    Returns {(broker, 'topic-partition'): size}."""
    by_id = {stack.node_id(n): n for n in stack.partition_server_names()}
    dirs = log_dirs(stack)
    assert sorted(dirs) == sorted(by_id), dirs
    sizes = {}
    for broker, entries in dirs.items():
        assert len(entries) == 1, entries
        d = entries[0]
        assert d['error'] is None, d
        assert os.path.isabs(d['logDir']), d
        assert os.path.realpath(d['logDir']) == os.path.realpath(os.path.join(stack.dir, by_id[broker])), d
        assert sorted(p['partition'] for p in d['partitions']) == ['%s-0' % TOPIC, '%s-1' % TOPIC], d
        for p in d['partitions']:
            assert p['offsetLag'] == 0 and p['isFuture'] is False, p
            files = glob.glob(os.path.join(d['logDir'], p['partition'], '*.log'))
            on_disk = sum(os.path.getsize(f) for f in files)
            assert p['size'] == on_disk and on_disk > 0, (broker, p, files)
            sizes[(broker, p['partition'])] = p['size']
    # The replicas of a partition hold the same batches.
    for name in ('%s-0' % TOPIC, '%s-1' % TOPIC):
        assert len({size for (_, n), size in sizes.items() if n == name}) == 1, sizes
    return sizes


def log_dirs_on_the_wire(stack):
    """DescribeLogDirs v4 (null topics) on the gateway's first port:
    (top-level error code, number of log dirs)."""
    with kafka_wire.KafkaConnection('127.0.0.1', stack.gateway_ports[0], timeout=15) as c:
        r = c.request(35, 4, kafka_wire.compact_array(None, None) + kafka_wire.NO_TAGS, flexible=True)
    kafka_wire.read_tags(r)  # response header v1
    r.i32()  # throttle time
    error = r.i16()
    return error, kafka_wire.read_uvarint(r) - 1


def produce(stack, topic, partition, keyed=False):
    p = clients.producer(stack.bootstrap, **{'acks': 'all', 'linger.ms': 0})
    for i in range(RECORDS):
        p.produce(topic, value=b'value-%03d-%s' % (i, b'x' * 40), key=b'k%d' % i if keyed else None,
                  partition=partition)
        if i % 5 == 4:
            clients.flush(p)  # small batches: several 1 KiB segments
    clients.flush(p)


def earliest_and_latest(stack, partition):
    c = clients.consumer(stack.bootstrap)
    try:
        return c.get_watermark_offsets(TopicPartition(TOPIC, partition), timeout=20)
    finally:
        c.close()


def fetch_below_start_error(stack):
    """The error a consumer gets fetching partition 0 at offset 10."""
    c = clients.consumer(stack.bootstrap, **{'auto.offset.reset': 'error'})
    try:
        c.assign([TopicPartition(TOPIC, 0, 10)])
        for _ in range(40):
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error() and m.error().code() != confluent_kafka.KafkaError._PARTITION_EOF:
                return m.error()
            if not m.error():
                raise AssertionError('read offset %d below the log start' % m.offset())
        raise AssertionError('no error fetching below the log start')
    finally:
        c.close()


def check_every_client_sees_it(stack):
    clients.wait_until('earliest 42 / 100', lambda: earliest_and_latest(stack, 0) == (DELETE_BELOW, RECORDS)
                       and earliest_and_latest(stack, 1) == (RECORDS, RECORDS), 30,
                       detail=lambda: (earliest_and_latest(stack, 0), earliest_and_latest(stack, 1)))
    msgs = clients.read_partitions(stack.bootstrap, TOPIC, 2, timeout=30)
    got = sorted((m.partition(), m.offset()) for m in msgs)
    assert got == [(0, o) for o in range(DELETE_BELOW, RECORDS)], got
    assert msgs[0].value().startswith(b'value-%03d' % DELETE_BELOW), msgs[0].value()
    out = run(['kcat', '-b', stack.bootstrap, '-C', '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q',
               '-f', '%o\\n'], timeout=60)
    offsets = [int(x) for x in out.stdout.split()]
    assert offsets == list(range(DELETE_BELOW, RECORDS)), offsets
    err = fetch_below_start_error(stack)
    assert 'out of range' in str(err).lower() or err.code() == confluent_kafka.KafkaError._AUTO_OFFSET_RESET, err


def replica_dirs(stack, partition):
    return [os.path.join(stack.dir, name, '%s-%d' % (TOPIC, partition)) for name in stack.partition_server_names()]


def every_replica_followed(stack):
    for d in replica_dirs(stack, 0):
        try:
            with open(os.path.join(d, 'log-start-offset-checkpoint')) as f:
                if f.read().split() != ['0', str(DELETE_BELOW)]:
                    return False
        except FileNotFoundError:
            return False
        bases = sorted(int(n[:-4]) for n in os.listdir(d) if n.endswith('.log'))
        # The first segment holds the log start; none before it is left.
        if len(bases) < 2 or not bases[0] <= DELETE_BELOW < bases[1] or bases[0] == 0:
            return False
    return True


def test():
    java_clients.require()
    with SluiceStack(partition_servers=3, partition_args=['--retention-check-ms', '500']) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, 2, replication_factor=3, config={'segment.bytes': '1024'})
        for p in (0, 1):
            clients.wait_until('partition %d fully in sync' % p,
                               lambda: len(stack.describe(TOPIC)['partitions'][p]['isr']) == 3, 30,
                               detail=lambda: stack.describe(TOPIC))
            produce(stack, TOPIC, p)

        # Every replica's size, as kafka-log-dirs shows it.
        sizes_before = check_log_dirs(stack)

        # 1. The tool's answers: the low watermarks.
        answers = delete_records(stack, {(TOPIC, 0): DELETE_BELOW, (TOPIC, 1): -1})
        assert answers == {'%s-0' % TOPIC: 'low_watermark: %d' % DELETE_BELOW,
                           '%s-1' % TOPIC: 'low_watermark: %d' % RECORDS}, answers

        # 2. and 3.
        check_every_client_sees_it(stack)
        clients.wait_until('every replica at log start %d, older segments deleted' % DELETE_BELOW,
                           lambda: every_replica_followed(stack), 30,
                           detail=lambda: [sorted(os.listdir(d)) for d in replica_dirs(stack, 0)])
        # Partition 1 (deleted up to its high watermark) lost every segment but the active one.
        clients.wait_until('partition 1 down to one segment on every replica',
                           lambda: all(len(glob.glob(os.path.join(d, '*.log'))) == 1 for d in replica_dirs(stack, 1)),
                           30, detail=lambda: [sorted(os.listdir(d)) for d in replica_dirs(stack, 1)])
        sizes_after = check_log_dirs(stack)
        assert all(sizes_after[k] < sizes_before[k] for k in sizes_before), (sizes_before, sizes_after)

        # 4. Refusals.
        past = delete_records(stack, {(TOPIC, 0): RECORDS + 1})
        assert 'OffsetOutOfRangeException' in past['%s-0' % TOPIC], past
        clients.create_topic(stack.bootstrap, COMPACTED, 1, replication_factor=3,
                             config={'cleanup.policy': 'compact'})
        produce(stack, COMPACTED, 0, keyed=True)
        refused = delete_records(stack, {(COMPACTED, 0): 10})
        assert 'PolicyViolationException' in refused['%s-0' % COMPACTED], refused

        # 5. A restart of every partition server keeps it.
        names = stack.partition_server_names()
        for name in names:
            stack.services[name].stop()
        broker_not_available = 8
        clients.wait_until('DescribeLogDirs answers BROKER_NOT_AVAILABLE without partition servers',
                           lambda: log_dirs_on_the_wire(stack) == (broker_not_available, 0), 30,
                           detail=lambda: log_dirs_on_the_wire(stack))
        for name in names:
            stack.services[name].start()
        for p in (0, 1):
            clients.wait_until('partition %d led again' % p,
                               lambda: stack.describe(TOPIC)['partitions'][p]['leader'] >= 0, 60,
                               detail=lambda: stack.describe(TOPIC))
        check_every_client_sees_it(stack)
        assert every_replica_followed(stack)


if __name__ == '__main__':
    main_guard(test)
