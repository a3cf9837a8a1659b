"""Kafka's own command-line tools (kafka-tools 4.x from Maven) against three
partition servers, each used the way its documentation shows and each output
checked; then the same checks after a full restart of the stack.

The tools run one after another in one JVM (tests/java/ToolSession.java):
the same main classes and arguments the kafka-*.sh scripts run, without a
JVM start per command. Which Kafka tool does what against Sluice:
docs/cli.md.

- kafka-topics: create (RF 3), list, describe (RF 3, the replicas and ISR
  `sluice topics describe` holds), alter (more partitions).
- kafka-console-producer / kafka-console-consumer: keyed records in, the same
  records out through a consumer group.
- kafka-get-offsets: latest and earliest offsets.
- kafka-consumer-groups: list, describe with lag, state, reset to the
  earliest offset, delete; a console consumer with group.protocol=consumer
  (KIP-848) goes on from the offsets a classic one committed.
- kafka-delete-records: records below the offset gone for the console
  consumer and kafka-get-offsets.
- kafka-log-dirs: every replica under its broker id, sized.
- kafka-reassign-partitions: a plan generated for two broker ids, executed,
  verified; a hand-made one that leaves leaders off their preferred replica;
  kafka-leader-election (preferred) moves them back.
- kafka-configs: a topic's config set, described, deleted.
- kafka-producer-perf-test / kafka-consumer-perf-test run to completion.
- kafka-features describe, kafka-transactions list.
- What Sluice does not serve fails at once with a clear error (client quotas).
- Full restart: topics, ids, records, committed offsets, the log start and
  configs are all still there.
"""
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import java_clients  # noqa: E402

TOOLS = 'org.apache.kafka.tools.'
RECORDS = 30


class Cli:
    """The stack, the tool session and what the checks learn along the way."""

    def __init__(self, stack, tools, work):
        self.stack = stack
        self.tools = tools
        self.work = work
        self.nodes = sorted(stack.node_id(n) for n in stack.partition_server_names())
        self.remembered = {}

    @property
    def b(self):
        return self.stack.bootstrap

    def run(self, tool, *args, stdin=b'', check=True, timeout=60):
        return self.tools.run(TOOLS + tool, *args, stdin=stdin, check=check, timeout=timeout)

    def topics(self, *args):
        return self.run('TopicCommand', '--bootstrap-server', self.b, *args)[1]

    def groups(self, *args, check=True):
        return self.run('consumer.group.ConsumerGroupCommand', '--bootstrap-server', self.b, *args, check=check)

    def file(self, name, content):
        path = os.path.join(self.work, name)
        with open(path, 'w') as f:
            f.write(content if isinstance(content, str) else json.dumps(content))
        return path


def fields(line):
    """A kafka-topics --describe line as a dict ({'Topic', 'Partition', 'Leader', ...})."""
    return dict(f.split(': ', 1) if ': ' in f else (f.rstrip(':'), '') for f in line.strip().split('\t'))


def ids(text):
    return [int(x) for x in text.split(',') if x]


def table(lines):
    """The rows of the first whitespace-aligned table in `lines` (kafka-consumer-groups), as dicts."""
    rows, header = [], None
    for line in lines:
        cols = line.split()
        if not cols:
            if header and rows:
                break
            continue
        if header is None:
            if cols[0] == 'GROUP':
                header = cols
            continue
        rows.append(dict(zip(header, cols)))
    return rows


def offsets(lines):
    """kafka-get-offsets output (topic:partition:offset lines) as {partition: offset}."""
    out = {}
    for line in lines:
        m = re.fullmatch(r'(.+):(\d+):(-?\d+)', line.strip())
        if m:
            out[int(m.group(2))] = int(m.group(3))
    return out


def partitions_described(cli, topic):
    """kafka-topics --describe: {partition: (leader, replicas, isr)} and the topic line."""
    out = cli.topics('--describe', '--topic', topic)
    head = [fields(line) for line in out if line.startswith('Topic:')]
    parts = {int(f['Partition']): (int(f['Leader']), ids(f['Replicas']), ids(f['Isr']))
             for f in (fields(line) for line in out if line.startswith('\t') or line.startswith(' '))
             if 'Partition' in f}
    return head[0], parts


def wait_isr_full(cli, topic, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = cli.stack.describe(topic)['partitions']
        if all(p['leader'] >= 0 and sorted(p['isr']) == sorted(p['replicas']) for p in parts):
            return parts
        time.sleep(0.2)
    raise AssertionError('%s: ISR never whole: %r' % (topic, cli.stack.describe(topic)))


def consume(cli, topic, count, *args):
    """kafka-console-consumer from the beginning: the `key value` lines it printed."""
    _, out, err = cli.run('consumer.ConsoleConsumer', '--bootstrap-server', cli.b, '--topic', topic,
                          '--from-beginning', '--max-messages', count, '--timeout-ms', 15000,
                          '--formatter-property', 'print.key=true', *args, check=False)
    assert 'Processed a total of %d messages' % count in err, err[-2000:]
    return sorted(out)


def check_topics(cli):
    cli.topics('--create', '--topic', 'cli', '--partitions', 3, '--replication-factor', 3)
    a, b = cli.nodes[0], cli.nodes[1]
    cli.topics('--create', '--topic', 'mv', '--replica-assignment', '%d:%d,%d:%d' % (a, b, b, a))
    listed = cli.topics('--list')
    assert 'cli' in listed and 'mv' in listed, listed
    wait_isr_full(cli, 'cli')
    head, parts = partitions_described(cli, 'cli')
    assert head['PartitionCount'] == '3' and head['ReplicationFactor'] == '3', head
    held = {p['partition']: (p['leader'], p['replicas'], p['isr']) for p in cli.stack.describe('cli')['partitions']}
    assert parts == held, (parts, held)
    assert all(sorted(r) == cli.nodes for _, r, _ in parts.values()), parts
    cli.topics('--alter', '--topic', 'cli', '--partitions', 4)
    head, parts = partitions_described(cli, 'cli')
    assert head['PartitionCount'] == '4' and sorted(parts) == [0, 1, 2, 3], (head, parts)
    wait_isr_full(cli, 'cli')
    cli.remembered['cli'] = {p: r for p, (_, r, _) in partitions_described(cli, 'cli')[1].items()}
    cli.remembered['topic_id'] = head['TopicId']
    print('kafka-topics: cli RF 3 over %r, 4 partitions after --alter' % cli.nodes)


def check_console_clients(cli):
    lines = b''.join(b'k%d:v%d\n' % (i, i) for i in range(RECORDS))
    cli.run('ConsoleProducer', '--bootstrap-server', cli.b, '--topic', 'cli',
            '--reader-property', 'parse.key=true', '--reader-property', 'key.separator=:', stdin=lines)
    got = consume(cli, 'cli', RECORDS, '--group', 'g1')
    assert got == sorted('k%d\tv%d' % (i, i) for i in range(RECORDS)), got
    latest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -1)[1])
    earliest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -2)[1])
    assert sum(latest.values()) == RECORDS and sorted(latest) == [0, 1, 2, 3], latest
    assert earliest == {p: 0 for p in range(4)}, earliest
    print('console producer/consumer: %d keyed records; kafka-get-offsets latest %r' % (RECORDS, latest))


def check_consumer_groups(cli):
    assert 'g1' in cli.groups('--list')[1]
    more = b''.join(b'late%d\n' % i for i in range(12))
    cli.run('ConsoleProducer', '--bootstrap-server', cli.b, '--topic', 'cli', stdin=more)
    _, out, _ = cli.groups('--describe', '--group', 'g1')
    rows = table(out)
    assert sorted(int(r['PARTITION']) for r in rows) == [0, 1, 2, 3], out
    assert sum(int(r['CURRENT-OFFSET']) for r in rows) == RECORDS, out
    assert sum(int(r['LOG-END-OFFSET']) for r in rows) == RECORDS + 12, out
    assert sum(int(r['LAG']) for r in rows) == 12, out
    _, state, _ = cli.groups('--describe', '--group', 'g1', '--state')
    assert any('Empty' in line for line in state), state
    _, out, _ = cli.groups('--reset-offsets', '--group', 'g1', '--topic', 'cli', '--to-earliest', '--execute')
    assert sorted(int(r['NEW-OFFSET']) for r in table(out)) == [0, 0, 0, 0], out
    rows = table(cli.groups('--describe', '--group', 'g1')[1])
    assert sum(int(r['LAG']) for r in rows) == RECORDS + 12, rows
    _, out, _ = cli.groups('--reset-offsets', '--group', 'g1', '--topic', 'cli:0', '--shift-by', 2, '--execute')
    # A consumer of the new protocol (KIP-848) joins the group the classic
    # consumer left: the group converts and it goes on from the commits.
    upgraded = consume(cli, 'cli', RECORDS + 12 - 2, '--group', 'g1', '--command-property', 'group.protocol=consumer')
    assert len(upgraded) == RECORDS + 12 - 2, upgraded
    _, out, _ = cli.groups('--reset-offsets', '--group', 'g1', '--all-topics', '--to-earliest', '--execute')
    _, out, _ = cli.groups('--reset-offsets', '--group', 'g1', '--topic', 'cli:0', '--shift-by', 2, '--execute')
    # Kept for after the restart: the group's committed offsets.
    cli.remembered['g1'] = {int(r['PARTITION']): int(r['CURRENT-OFFSET'])
                            for r in table(cli.groups('--describe', '--group', 'g1')[1])}
    # A group whose offsets of one partition, then the group, are deleted.
    consume(cli, 'cli', RECORDS + 12, '--group', 'g2')
    _, out, _ = cli.groups('--delete-offsets', '--group', 'g2', '--topic', 'cli:3')
    assert any(line.split()[:3] == ['cli', '3', 'Successful'] for line in out), out
    rows = table(cli.groups('--describe', '--group', 'g2', '--offsets')[1])
    assert sorted(int(r['PARTITION']) for r in rows if r['CURRENT-OFFSET'] != '-') == [0, 1, 2], rows
    _, out, err = cli.groups('--describe', '--group', 'g2', '--members')
    assert "Consumer group 'g2' has no active members" in err, (out, err)
    _, out, _ = cli.groups('--delete', '--group', 'g2')
    assert any("Deletion of requested consumer groups ('g2') was successful" in line for line in out), out
    assert 'g2' not in cli.groups('--list')[1]
    print('kafka-consumer-groups: lag 12 shown, reset to earliest and shift-by, delete: %r' % cli.remembered['g1'])


def check_delete_records(cli):
    latest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -1)[1])
    p = max(latest, key=latest.get)
    cut = latest[p] // 2
    plan = cli.file('delete.json', {'version': 1, 'partitions': [{'topic': 'cli', 'partition': p, 'offset': cut}]})
    _, out, _ = cli.run('DeleteRecordsCommand', '--bootstrap-server', cli.b, '--offset-json-file', plan)
    assert any('partition: cli-%d\tlow_watermark: %d' % (p, cut) in line for line in out), out
    earliest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -2)[1])
    assert earliest[p] == cut and all(o == 0 for q, o in earliest.items() if q != p), earliest
    left = latest[p] - cut
    _, out, err = cli.run('consumer.ConsoleConsumer', '--bootstrap-server', cli.b, '--topic', 'cli',
                          '--partition', p, '--offset', 'earliest', '--max-messages', left + 1,
                          '--timeout-ms', 3000, check=False)
    assert 'Processed a total of %d messages' % left in err, err[-2000:]
    cli.remembered['log_start'] = (p, cut)
    print('kafka-delete-records: cli-%d starts at %d; %d records left for the console consumer' % (p, cut, left))


def log_dirs(cli, topic):
    """kafka-log-dirs --describe for every broker id: {broker: {partition: size}} of `topic`,
    checking each broker answers one log dir without an error."""
    _, out, _ = cli.run('LogDirsCommand', '--bootstrap-server', cli.b, '--describe',
                        '--broker-list', ','.join(map(str, cli.nodes)), '--topic-list', topic)
    answer = json.loads(next(line for line in out if line.startswith('{')))
    sizes = {}
    for broker in answer['brokers']:
        assert len(broker['logDirs']) == 1 and broker['logDirs'][0]['error'] is None, broker
        sizes[broker['broker']] = {int(p['partition'].rsplit('-', 1)[1]): p['size']
                                   for p in broker['logDirs'][0]['partitions']}
    return sizes


def check_log_dirs(cli):
    sizes = log_dirs(cli, 'cli')
    assert sorted(sizes) == cli.nodes, sizes
    latest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -1)[1])
    for broker, parts in sizes.items():
        assert sorted(parts) == sorted(latest), (broker, parts)
        assert all((size > 0) == (latest[p] > 0) for p, size in parts.items()), (broker, parts, latest)
    # Every replica of a partition holds the same bytes.
    assert all(len({sizes[b][p] for b in sizes}) == 1 for p in latest), sizes
    cli.remembered['sizes'] = sizes
    print('kafka-log-dirs: every replica of cli under brokers %r, sizes %r' % (cli.nodes, sizes[cli.nodes[0]]))


def reassign(cli, plan_path):
    cli.run('reassign.ReassignPartitionsCommand', '--bootstrap-server', cli.b, '--execute',
            '--reassignment-json-file', plan_path)
    deadline = time.monotonic() + 30
    while True:
        code, out, err = cli.run('reassign.ReassignPartitionsCommand', '--bootstrap-server', cli.b, '--verify',
                                 '--reassignment-json-file', plan_path, check=False)
        if all('is completed' in line for line in out if line.startswith('Reassignment of partition')) \
                and any(line.startswith('Reassignment of partition') for line in out):
            # Once complete, --verify clears the replication throttles (broker
            # and topic configs) and exits 0.
            assert code == 0 and 'Clearing broker-level throttles' in '\n'.join(out), (code, out, err)
            return out
        assert time.monotonic() < deadline, 'reassignment never completed: %r' % out
        time.sleep(0.5)


def check_reassign_and_elect(cli):
    keep = cli.nodes[1:]
    move = cli.file('move.json', {'version': 1, 'topics': [{'topic': 'mv'}]})
    _, out, _ = cli.run('reassign.ReassignPartitionsCommand', '--bootstrap-server', cli.b, '--generate',
                        '--topics-to-move-json-file', move, '--broker-list', ','.join(map(str, keep)))
    proposed = json.loads(out[out.index('Proposed partition reassignment configuration') + 1])
    current = json.loads(out[out.index('Current partition replica assignment') + 1])
    assert {p['partition'] for p in current['partitions']} == {0, 1}, current
    assert all(sorted(p['replicas']) == keep for p in proposed['partitions']), proposed
    plan = cli.file('plan.json', proposed)
    reassign(cli, plan)
    _, parts = partitions_described(cli, 'mv')
    want = {p['partition']: p['replicas'] for p in proposed['partitions']}
    assert {p: r for p, (_, r, _) in parts.items()} == want, (parts, want)
    wait_isr_full(cli, 'mv')

    # The same replicas in the other order: leaders stay, so each is now off
    # its preferred replica until kafka-leader-election moves it.
    swapped = {'version': 1, 'partitions': [{'topic': 'mv', 'partition': p, 'replicas': list(reversed(r))}
                                            for p, r in want.items()]}
    reassign(cli, cli.file('swap.json', swapped))
    _, parts = partitions_described(cli, 'mv')
    off = [p for p, (leader, r, _) in parts.items() if leader != r[0]]
    assert off, 'every leader is already preferred: %r' % parts
    _, out, _ = cli.run('LeaderElectionCommand', '--bootstrap-server', cli.b, '--election-type', 'preferred',
                        '--all-topic-partitions')
    text = '\n'.join(out)
    assert 'Successfully completed leader election (PREFERRED)' in text and all('mv-%d' % p in text for p in off), out
    _, parts = partitions_described(cli, 'mv')
    assert all(leader == r[0] for leader, r, _ in parts.values()), parts
    _, out, _ = cli.run('reassign.ReassignPartitionsCommand', '--bootstrap-server', cli.b, '--list')
    assert any('No partition reassignments found' in line for line in out), out
    cli.remembered['mv'] = {p: r for p, (_, r, _) in parts.items()}
    print('kafka-reassign-partitions: mv moved onto %r; kafka-leader-election: preferred leaders of %r back' %
          (keep, off))


def check_topic_configs(cli):
    base = ('--bootstrap-server', cli.b, '--entity-type', 'topics', '--entity-name', 'cli')
    cli.run('ConfigCommand', *base, '--alter', '--add-config', 'retention.ms=86400000,max.message.bytes=200000')
    _, out, _ = cli.run('ConfigCommand', *base, '--describe')
    text = '\n'.join(out)
    assert 'retention.ms=86400000' in text and 'max.message.bytes=200000' in text, out
    cli.run('ConfigCommand', *base, '--alter', '--delete-config', 'max.message.bytes')
    _, out, _ = cli.run('ConfigCommand', *base, '--describe')
    text = '\n'.join(out)
    assert 'retention.ms=86400000' in text and 'max.message.bytes' not in text, out
    print('kafka-configs: topic retention.ms set and kept, max.message.bytes set then deleted')


def check_perf_tools(cli):
    cli.topics('--create', '--topic', 'perf', '--partitions', 3, '--replication-factor', 3)
    _, out, _ = cli.run('ProducerPerformance', '--topic', 'perf', '--num-records', 20000, '--record-size', 100,
                        '--throughput', -1, '--bootstrap-server', cli.b, '--command-property', 'acks=all',
                        timeout=120)
    assert any(line.startswith('20000 records sent') for line in out), out
    _, out, _ = cli.run('ConsumerPerformance', '--bootstrap-server', cli.b, '--topic', 'perf',
                        '--num-records', 20000, '--timeout', 30000, timeout=120)
    header = out.index(next(line for line in out if line.startswith('start.time')))
    data = [f.strip() for f in out[header + 1].split(',')]
    assert int(data[4]) == 20000, out
    cli.topics('--delete', '--topic', 'perf')
    assert 'perf' not in cli.topics('--list')
    print('kafka-producer-perf-test / kafka-consumer-perf-test: 20000 records each way')


def check_features_and_transactions(cli):
    _, out, _ = cli.run('FeatureCommand', '--bootstrap-server', cli.b, 'describe')
    tv = [line for line in out if line.startswith('Feature: transaction.version')]
    assert tv and re.search(r'FinalizedVersionLevel: 2\b', tv[0]), out
    _, out, _ = cli.run('TransactionsCommand', '--bootstrap-server', cli.b, 'list')
    assert out and out[0].split()[:2] == ['TransactionalId', 'Coordinator'], out


def check_unserved_fails_fast(cli):
    code, out, err = cli.run('ConfigCommand', '--bootstrap-server', cli.b, '--entity-type', 'users', '--describe',
                             check=False, timeout=30)
    assert code != 0 and 'does not support DESCRIBE_CLIENT_QUOTAS' in err + '\n'.join(out), (code, out, err)


def check_after_restart(cli):
    """Everything the checks above left, after every service was stopped and started."""
    cli.stack.stop_all()
    cli.stack.start_all()
    wait_isr_full(cli, 'cli')
    head, parts = partitions_described(cli, 'cli')
    assert head['TopicId'] == cli.remembered['topic_id'], head
    assert {p: r for p, (_, r, _) in parts.items()} == cli.remembered['cli'], parts
    assert {p: r for p, (_, r, _) in partitions_described(cli, 'mv')[1].items()} == cli.remembered['mv']
    p, cut = cli.remembered['log_start']
    earliest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -2)[1])
    assert earliest[p] == cut, earliest
    latest = offsets(cli.run('GetOffsetShell', '--bootstrap-server', cli.b, '--topic', 'cli', '--time', -1)[1])
    assert sum(latest.values()) == RECORDS + 12, latest
    assert len(consume(cli, 'cli', RECORDS + 12 - cut)) == RECORDS + 12 - cut
    assert log_dirs(cli, 'cli') == cli.remembered['sizes']
    committed = {int(r['PARTITION']): int(r['CURRENT-OFFSET'])
                 for r in table(cli.groups('--describe', '--group', 'g1')[1])}
    assert committed == cli.remembered['g1'], (committed, cli.remembered['g1'])
    _, out, _ = cli.run('ConfigCommand', '--bootstrap-server', cli.b, '--entity-type', 'topics', '--entity-name',
                        'cli', '--describe')
    assert any('retention.ms=86400000' in line for line in out), out
    check_features_and_transactions(cli)
    print('after a full restart: same topic id, replicas, log start, records, committed offsets and configs')


def test():
    java_clients.require()
    work = tempfile.mkdtemp(prefix='sluice-cli-')
    with SluiceStack(partition_servers=3, partition_args=['--replica-lag-time-max-ms', '1500']) as stack, \
            java_clients.ToolSession() as tools:
        cli = Cli(stack, tools, work)
        run_checks(cli, [
            ('kafka-topics', check_topics),
            ('console producer and consumer, kafka-get-offsets', check_console_clients),
            ('kafka-consumer-groups', check_consumer_groups),
            ('kafka-delete-records', check_delete_records),
            ('kafka-log-dirs', check_log_dirs),
            ('kafka-reassign-partitions and kafka-leader-election', check_reassign_and_elect),
            ('kafka-configs (topics)', check_topic_configs),
            ('perf test tools', check_perf_tools),
            ('kafka-features, kafka-transactions', check_features_and_transactions),
            ('unserved APIs fail fast', check_unserved_fails_fast),
            ('full restart', check_after_restart),
        ])


if __name__ == '__main__':
    main_guard(test)
