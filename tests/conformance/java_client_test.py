#!/usr/bin/env python3
"""Kafka's own Java client (kafka-clients 4.x) and tools against a real stack,
through the programs of tests/java/ (tests/fixtures/java_clients.py compiles
and runs them; without java, javac or the jars this test exits 77):

- the tutorial program (a default KafkaProducer: idempotent, acks=all) sends
  one record and exits 0, and the record is there;
- an idempotent producer with 5 requests in flight: every record acknowledged,
  present once, at its acknowledged offset, in send order per partition;
- transactions: committed ones visible to read_committed, an aborted one never
  (but its records are in the log for read_uncommitted, at the offsets the
  sends reported);
- sendOffsetsToTransaction: the group's offsets move only with a committed
  transaction (an aborted one leaves them and its output invisible);
- a zombie (same transactional.id, older epoch) gets ProducerFencedException;
- Kafka's kafka-transactions tool lists and describes transactions (an open
  one as Ongoing with its partition, finished ones as Complete*), and
  describe-producers shows a partition's producers;
- the client runs its transactions with transaction version 2 (KIP-890: the
  gateway finalizes transaction.version 2): each EndTxn bumped the producer's
  epoch, so after three transactions from epoch 0 it is 3, for the
  transaction coordinator and for the partitions (their markers' epoch);
- finalized features are cluster state (kafka-features, FeatureCommand):
  `downgrade --feature transaction.version=1` on the same stack; after a
  coordinator restart the coordinator still holds 1 (a dry-run downgrade to
  2 is refused with Kafka's "Can't downgrade to a newer version."), and
  `describe` shows transaction.version supported 0-2, finalized at 1; the
  same client then stays on version 1 (AddPartitionsToTxn and
  AddOffsetsToTxn, the partition leaders and the group coordinator verifying
  its writes): commit, abort and sendOffsetsToTransaction work as above, and
  the epoch never moves; `upgrade --feature transaction.version=2` brings it
  back, at a higher features epoch;
- fetch sessions (KIP-227): two group members (GroupConsumer) on a topic
  replicated on two partition servers, the second joining midway (a
  rebalance), and a leader change (controlled shutdown of a leader): the
  gateway opened sessions and served incremental fetches with a non-zero
  session id before and after the leader change, and every record arrived
  once per member, in offset order, none missing.

One stack for the checks up to the features, a second one for fetch
sessions; every step is bounded.
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import clients  # noqa: E402
import java_clients  # noqa: E402

PARTITIONS = 3


def read(bootstrap, topic, isolation):
    """{(partition, offset): value} of the whole topic as TxnConsumer reads it."""
    _, out, _ = java_clients.run('TxnConsumer', bootstrap, topic, isolation, 60000, timeout=120)
    return {(int(p), int(o)): v for p, o, _k, v in java_clients.lines('REC', out)}


def tutorial(bootstrap):
    clients.create_topic(bootstrap, 'tutorial', 1)
    _, out, _ = java_clients.run('TutorialProducer', bootstrap, 'tutorial', timeout=90)
    acks = java_clients.lines('ACK', out)
    assert len(acks) == 1, out
    partition, offset = int(acks[0][0]), int(acks[0][1])
    got = read(bootstrap, 'tutorial', 'read_uncommitted')
    assert got == {(partition, offset): 'world'}, got


def idempotent(bootstrap, count=600):
    clients.create_topic(bootstrap, 'idempotent', PARTITIONS)
    _, out, _ = java_clients.run('IdempotentProducer', bootstrap, 'idempotent', PARTITIONS, count, timeout=120)
    assert not java_clients.lines('FAIL', out), [line for line in out if line.startswith('FAIL')][:5]
    acked = {int(s): (int(p), int(o)) for s, p, o in java_clients.lines('ACK', out)}
    assert sorted(acked) == list(range(count)), 'acknowledged %d of %d' % (len(acked), count)
    got = read(bootstrap, 'idempotent', 'read_uncommitted')
    seqs = [int(v) for v in got.values()]
    assert len(seqs) == len(set(seqs)) == count, 'records %d, distinct %d, sent %d' % (len(seqs), len(set(seqs)), count)
    misplaced = [s for s, at in acked.items() if got.get(at) != str(s)]
    assert not misplaced, 'not at their acknowledged offsets: %r' % misplaced[:10]
    for p in range(PARTITIONS):
        order = [int(v) for (q, _), v in sorted(got.items()) if q == p]
        assert order == sorted(order), 'partition %d out of send order: %r' % (p, order[:20])
    print('idempotent: %d records, each once, at its acknowledged offset, in order' % count)


def transactions(bootstrap, topic='txn', transactional_id='java-txn'):
    clients.create_topic(bootstrap, topic, PARTITIONS)
    _, out, _ = java_clients.run('TransactionalProducer', bootstrap, topic, PARTITIONS, transactional_id,
                                 'commit:c1', 'abort:a1', 'commit:c2', timeout=120)
    assert [line for line in out if not line.startswith('SENT')] == ['COMMITTED c1', 'ABORTED a1', 'COMMITTED c2'], out
    sent = {(int(p), int(o)): '%s-%s' % (tag, p) for tag, p, o in java_clients.lines('SENT', out)}
    committed = read(bootstrap, topic, 'read_committed')
    want = {at: v for at, v in sent.items() if not v.startswith('a1')}
    assert committed == want, 'read_committed: %r, want %r' % (committed, want)
    uncommitted = read(bootstrap, topic, 'read_uncommitted')
    assert uncommitted == sent, 'read_uncommitted: %r, want %r' % (uncommitted, sent)
    # Each transaction ends with a marker: the offsets leave a gap after each.
    for p in range(PARTITIONS):
        offsets = sorted(o for (q, o) in sent if q == p)
        assert all(b - a == 2 for a, b in zip(offsets, offsets[1:])), 'partition %d offsets %r' % (p, offsets)


def send_offsets(bootstrap, per_partition=10, prefix='copy', transactional_id='java-copy'):
    source, sink, group = prefix + '-in', prefix + '-out', prefix + '-group'
    clients.create_topic(bootstrap, source, PARTITIONS)
    clients.create_topic(bootstrap, sink, PARTITIONS)
    p = clients.producer(bootstrap, acks='all')
    for i in range(per_partition * PARTITIONS):
        p.produce(source, value=b'%d' % i, key=b'%d' % i, partition=i % PARTITIONS)
    clients.flush(p)
    nothing = {q: -1001 for q in range(PARTITIONS)}  # librdkafka's OFFSET_INVALID: no commit

    _, out, _ = java_clients.run('TxnCopy', bootstrap, source, sink, group, transactional_id,
                                 'once-abort', 60000, timeout=120)
    assert any(line.startswith('ABORTED %d' % (per_partition * PARTITIONS)) for line in out), out
    assert clients.committed(bootstrap, group, source, PARTITIONS) == nothing, 'an aborted transaction committed offsets'
    assert read(bootstrap, sink, 'read_committed') == {}, 'aborted output visible to read_committed'

    _, out, _ = java_clients.run('TxnCopy', bootstrap, source, sink, group, transactional_id,
                                 'once-commit', 60000, timeout=120)
    assert 'COMMITTED %d' % (per_partition * PARTITIONS) in out, out
    assert clients.committed(bootstrap, group, source, PARTITIONS) == {q: per_partition for q in range(PARTITIONS)}
    copied = read(bootstrap, sink, 'read_committed')
    inputs = sorted(int(v.split(':')[2]) for v in copied.values())
    assert inputs == list(range(per_partition * PARTITIONS)), 'copied %r' % inputs
    assert len(read(bootstrap, sink, 'read_uncommitted')) == 2 * per_partition * PARTITIONS


def zombie(bootstrap):
    clients.create_topic(bootstrap, 'zombie', 1)
    rc, out, err = java_clients.run('ZombieFencing', bootstrap, 'zombie', 'java-zombie', timeout=120, check=False)
    print('\n'.join(out))
    assert rc == 0 and 'FENCED' in out, 'the zombie was not fenced (exit %d): %s' % (rc, err[-2000:])
    values = sorted(read(bootstrap, 'zombie', 'read_committed').values())
    assert values == ['live-1'], values


def table(out):
    """Rows of a table printed by Kafka's tools, as dicts by header."""
    rows = [line.split() for line in out if line.strip()]
    return [dict(zip(rows[0], r)) for r in rows[1:]] if rows else []


def transactions_tool(bootstrap):
    # An open transaction, held by librdkafka while the tool looks at it.
    p = clients.producer(bootstrap, **{'transactional.id': 'open-txn', 'transaction.timeout.ms': 60000})
    p.init_transactions(30)
    p.begin_transaction()
    p.produce('txn', value=b'open', partition=1)
    clients.flush(p)
    try:
        _, out, _ = java_clients.transactions_tool(bootstrap, 'list')
        listed = {r['TransactionalId']: r for r in table(out)}
        print('\n'.join(out))
        for tid in ('java-txn', 'java-copy', 'java-zombie', 'open-txn'):
            assert tid in listed, '%s not listed: %r' % (tid, out)
        assert listed['open-txn']['TransactionState'] == 'Ongoing', listed['open-txn']
        assert listed['java-txn']['TransactionState'] == 'CompleteCommit', listed['java-txn']

        _, out, _ = java_clients.transactions_tool(bootstrap, 'describe', '--transactional-id', 'open-txn')
        print('\n'.join(out))
        [row] = table(out)
        assert row['TransactionState'] == 'Ongoing' and row['TopicPartitions'] == 'txn-1', row
        assert row['TransactionTimeoutMs'] == '60000', row
        open_pid = row['ProducerId']

        _, out, _ = java_clients.transactions_tool(bootstrap, 'describe', '--transactional-id', 'java-txn')
        [row] = table(out)
        assert row['TransactionState'] == 'CompleteCommit' and row['ProducerId'] != open_pid, row
        # Transaction version 2: EndTxn v5 bumped the epoch at each of the
        # three transactions (version 1 would have left it at 0).
        assert row['ProducerEpoch'] == '3', 'the Java client did not run transaction version 2: %r' % row
        java_txn_pid = row['ProducerId']

        _, out, _ = java_clients.transactions_tool(bootstrap, 'describe-producers', '--topic', 'txn',
                                                   '--partition', '1')
        print('\n'.join(out))
        producers = {r['ProducerId']: r for r in table(out)}
        assert open_pid in producers, 'the open transaction\'s producer %s not in %r' % (open_pid, producers)
        assert producers[open_pid]['CurrentTransactionStartOffset'] != '-1', producers[open_pid]
        # The partition took the last marker's (bumped) epoch as the producer's.
        assert producers[java_txn_pid]['ProducerEpoch'] == '3', producers.get(java_txn_pid)
    finally:
        p.abort_transaction(30)


def epoch_of(bootstrap, transactional_id):
    _, out, _ = java_clients.transactions_tool(bootstrap, 'describe', '--transactional-id', transactional_id)
    [row] = table(out)
    return row['ProducerEpoch']


def features_tool(bootstrap, *args, check=True):
    """Kafka's kafka-features tool (FeatureCommand) against the stack."""
    return java_clients.run('org.apache.kafka.tools.FeatureCommand', '--bootstrap-server', bootstrap, *args,
                            timeout=60, check=check)


FEATURE_LINE = re.compile(r'Feature: (\S+)\s+SupportedMinVersion: (\S+)\s+SupportedMaxVersion: (\S+)\s+'
                          r'FinalizedVersionLevel: (\S+)\s+Epoch: (\S+)\s*')


def described_features(bootstrap):
    """{feature: (supported min, max, finalized level, epoch)} as
    `kafka-features describe` prints them (from ApiVersions)."""
    _, out, _ = features_tool(bootstrap, 'describe')
    print('\n'.join(out))
    got = {}
    for line in out:
        m = FEATURE_LINE.fullmatch(line)
        assert m, 'unexpected kafka-features describe line %r' % line
        got[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
    return got


def transaction_version_1(stack):
    """kafka-features downgrades transaction.version to 1 on the running
    stack (it survives a coordinator restart), the Java client then runs
    transaction version 1, and the upgrade back to 2. Five tool runs: each
    JVM costs 1-2 s here."""
    b = stack.bootstrap
    _, out, _ = features_tool(b, 'downgrade', '--feature', 'transaction.version=1')
    assert out == ['transaction.version was downgraded to 1.'], out

    # The coordinator keeps the level across its restart: a downgrade "to"
    # 2 is refused from 1 (it would be no change from 2), in Kafka's words.
    stack.restart('coordinator')
    rc, out, _ = features_tool(b, 'downgrade', '--feature', 'transaction.version=2', '--dry-run', check=False)
    assert rc == 1 and out == [
        'Can not downgrade transaction.version to 2. The update failed for all features since the following '
        'feature had an error: Invalid update version 2 for feature transaction.version. Can\'t downgrade to a '
        'newer version.'], (rc, out)
    downgraded = described_features(b)
    assert set(downgraded) == {'transaction.version'}, downgraded
    assert downgraded['transaction.version'][:3] == (0, 2, 1), downgraded
    # A new store finalizes its initial levels at version 1; the downgrade came later.
    assert downgraded['transaction.version'][3] > 1, downgraded

    transactions(b, topic='txn-v1', transactional_id='java-txn-v1')
    assert epoch_of(b, 'java-txn-v1') == '0', 'transaction version 1 bumped the epoch'
    send_offsets(b, prefix='copy-v1', transactional_id='java-copy-v1')
    # Version 1: only the second run's InitProducerId bumped it.
    assert epoch_of(b, 'java-copy-v1') == '1', 'transaction version 1 bumped the epoch at EndTxn'

    _, out, _ = features_tool(b, 'upgrade', '--feature', 'transaction.version=2')
    assert out == ['transaction.version was upgraded to 2.'], out
    upgraded = described_features(b)['transaction.version']
    assert upgraded[:3] == (0, 2, 2) and upgraded[3] > downgraded['transaction.version'][3], (downgraded, upgraded)


INCREMENTAL = re.compile(r'fetch session (\d+) incremental at epoch (\d+): (\d+) of (\d+) partitions answered \((\w+)\)')


def incremental_fetches(stack, since=0):
    """(session id, epoch) of the gateway's incremental fetches answered
    without a session error, from byte `since` of its log."""
    with open(stack.service('gateway-0').log_path, 'rb') as f:
        f.seek(since)
        text = f.read().decode('utf-8', 'replace')
    return [(int(m.group(1)), int(m.group(2))) for m in INCREMENTAL.finditer(text) if m.group(5) == 'NONE']


def fetch_sessions(_):
    topic, partitions, group = 'sessions', 2, 'java-sessions'
    with SluiceStack(partition_servers=2, log_level='debug') as stack:
        b = stack.bootstrap
        clients.create_topic(b, topic, partitions=partitions, replication_factor=2)
        p = clients.producer(b, acks='all')
        sent = []

        def produce(n):
            for _ in range(n):
                value = 'v%d' % len(sent)
                p.produce(topic, value=value.encode(), partition=len(sent) % partitions)
                sent.append(value)
            clients.flush(p)

        outs = [os.path.join(stack.dir, 'member-%d.out' % i) for i in range(2)]
        stop = os.path.join(stack.dir, 'stop')
        members = []

        def output(path):
            if not os.path.exists(path):
                return []
            with open(path) as f:
                return f.read().splitlines()

        def records():
            return [java_clients.lines('REC', output(path)) for path in outs]

        def all_read():
            return {r[2] for member in records() for r in member} >= set(sent)

        try:
            members.append(java_clients.start('GroupConsumer', b, topic, group, stop, stdout_path=outs[0]))
            produce(200)
            clients.wait_until('the first member read 200 records', all_read, 60, lambda: len(records()[0]))
            members.append(java_clients.start('GroupConsumer', b, topic, group, stop, stdout_path=outs[1]))
            clients.wait_until('the second member got partitions (a rebalance)',
                               lambda: any(java_clients.lines('ASSIGNED', output(outs[1]))), 60)
            produce(200)
            clients.wait_until('400 records read by the group', all_read, 60)
            before = incremental_fetches(stack)
            assert before, 'no incremental fetch before the leader change'

            log_size = os.path.getsize(stack.service('gateway-0').log_path)
            leader = stack.describe(topic)['partitions'][0]['leader']
            name = stack.name_of_node(leader)
            assert stack.kill(name, signal.SIGTERM) == 0
            clients.wait_until('partition 0 led by the other server',
                               lambda: stack.describe(topic)['partitions'][0]['leader'] not in (leader, -1), 30)
            produce(200)
            stack.restart(name)
            produce(100)
            clients.wait_until('700 records read by the group', all_read, 90)
            time.sleep(1)
            after = incremental_fetches(stack, log_size)
            assert after, 'no incremental fetch after the leader change'
        finally:
            open(stop, 'w').close()
            for m in members:
                try:
                    m.wait(timeout=30)
                except Exception:
                    m.kill()
        assert all(sid != 0 and epoch >= 1 for sid, epoch in before + after), (before[:5], after[:5])
        # In order and once per member; across members every record, none missing.
        for i, member in enumerate(records()):
            last = {}
            for partition, offset, _ in member:
                partition, offset = int(partition), int(offset)
                assert offset > last.get(partition, -1), 'member %d read p%d offset %d after %d' % (
                    i, partition, offset, last.get(partition, -1))
                last[partition] = offset
        got = {r[2] for member in records() for r in member}
        assert got == set(sent), 'missing: %r' % sorted(set(sent) - got)[:10]
        print('%d records through a rebalance and a leader change; %d incremental fetches before, %d after'
              % (len(sent), len(before), len(after)))


def test():
    java_clients.require()
    failed = []
    with SluiceStack() as stack:
        try:
            run_checks(stack.bootstrap, [('tutorial program', tutorial), ('idempotent producer', idempotent),
                                         ('commit and abort', transactions), ('sendOffsetsToTransaction', send_offsets),
                                         ('zombie fencing', zombie), ('kafka-transactions', transactions_tool),
                                         # Last: it moves the cluster's transaction.version and back.
                                         ('transaction version 1 (kafka-features downgrade, then upgrade)',
                                          lambda _: transaction_version_1(stack))])
        except AssertionError as e:
            failed.append(str(e))
    try:
        run_checks(None, [('fetch sessions through a rebalance and a leader change', fetch_sessions)])
    except AssertionError as e:
        failed.append(str(e))
    assert not failed, '; '.join(failed)


if __name__ == '__main__':
    main_guard(test)
