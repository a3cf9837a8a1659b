"""Replicated topics with unchanged clients: kafka-python 2.0.2, kcat and
Kafka's kafka-topics (TopicCommand, the Java admin) against three partition
servers.

- kafka-python's admin creates a topic with replication factor 3 and one
  with an explicit replica assignment; both are served.
- acks=all from kafka-python and from kcat, read back by kafka-python.
- min.insync.replicas=3 with one server stopped: once the ISR has shrunk,
  kafka-python's acks=all send fails with NotEnoughReplicasError (Kafka's
  error 19) and nothing is lost; with the server back and the ISR whole
  again, the same producer succeeds.
- The partition servers are the brokers, by their node ids: kcat's and
  kafka-python's Metadata list them, each at an address of its own, and
  kafka-topics --describe (DescribeTopicPartitions, DescribeCluster) shows RF 3
  and the leaders, replicas and ISR `sluice topics describe` shows, no
  partition unavailable (every leader is a DescribeCluster broker), and the
  partition under --under-replicated-partitions while a follower is stopped,
  not after it is back in the ISR.
- Dynamic broker configs with Kafka's kafka-configs (ConfigCommand): the
  cluster default min.insync.replicas=2 (--entity-default) is described as
  DYNAMIC_DEFAULT_BROKER_CONFIG, makes acks=all to a topic without an
  override and an ISR of 1 fail with NOT_ENOUGH_REPLICAS, shows as that
  topic's default, and survives a coordinator restart; a per-broker value
  (--entity-name ID, --all) with Kafka's synonyms; a replication throttle is
  refused (kafka-reassign-partitions --execute --throttle fails at once,
  --verify clears the throttles); deleting the default lets acks=all through.
"""
import json
import os
import tempfile
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import java_clients  # noqa: E402

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402
from kafka.errors import NotEnoughReplicasError  # noqa: E402

LAG_MS = 1500


def wait_isr(stack, topic, size, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = stack.describe(topic)['partitions']
        if all(len(p['isr']) == size and p['leader'] >= 0 for p in parts):
            return parts
        time.sleep(0.2)
    raise AssertionError('%s: ISR never reached %d: %r' % (topic, size, stack.describe(topic)))


def read_all(bootstrap, topic, partitions, expect, timeout=30):
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                      fetch_max_wait_ms=100)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < expect and time.monotonic() < deadline:
        for _tp, msgs in c.poll(timeout_ms=500).items():
            out.extend(m.value for m in msgs)
    c.close()
    return out


# kafka-topics runs in one JVM for the whole test (a JVM start per command
# costs a second or two); opened in test() when Java is there.
tools = None


def topics_tool(bootstrap, *args):
    """kafka-topics (TopicCommand) output: the partition lines as dicts
    ({'Topic', 'Partition', 'Leader', 'Replicas', 'Isr', ...}) and the topic
    lines likewise."""
    _, out, _ = tools.run('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', bootstrap, *args)
    topics, partitions = [], []
    for line in out:
        fields = dict(f.split(': ', 1) if ': ' in f else (f.rstrip(':'), '') for f in line.strip().split('\t'))
        (partitions if 'Partition' in fields else topics).append(fields)
    return topics, partitions


def ids(text):
    return [int(x) for x in text.split(',') if x]


def check_brokers_are_partition_servers(stack, nodes):
    """kcat's Metadata: the partition servers' ids, each at its own address."""
    md = json.loads(subprocess.run(['kcat', '-b', stack.bootstrap, '-L', '-J'], capture_output=True, check=True,
                                   timeout=30).stdout)
    brokers = {b['id']: b['name'] for b in md['brokers']}
    assert sorted(brokers) == nodes, md['brokers']
    assert len(set(brokers.values())) == len(nodes), 'brokers share an address: %r' % brokers
    assert md['controllerid'] in nodes, md


def check_described_by_kafka_topics(stack, b, topic):
    """kafka-topics --describe agrees with `sluice topics describe`: RF, leader, replicas, ISR."""
    if java_clients.missing():
        return
    want = {p['partition']: p for p in stack.describe(topic)['partitions']}
    topics, partitions = topics_tool(b, '--describe', '--topic', topic)
    assert len(topics) == 1 and topics[0]['ReplicationFactor'] == '3', topics
    assert topics[0]['PartitionCount'] == str(len(want)), topics
    assert len(partitions) == len(want), partitions
    for p in partitions:
        w = want[int(p['Partition'])]
        got = (int(p['Leader']), ids(p['Replicas']), ids(p['Isr']))
        assert got == (w['leader'], w['replicas'], w['isr']), (p, w)
    # Every leader is a broker DescribeCluster lists.
    _, unavailable = topics_tool(b, '--describe', '--topic', topic, '--unavailable-partitions')
    assert unavailable == [], unavailable
    print('kafka-topics --describe %s: RF 3, %r' % (topic, [(p['Leader'], p['Replicas'], p['Isr']) for p in partitions]))


def under_replicated(b, topic):
    if java_clients.missing():
        return []
    _, partitions = topics_tool(b, '--describe', '--topic', topic, '--under-replicated-partitions')
    return partitions


def configs_tool(b, *args, check=True):
    """Kafka's kafka-configs (ConfigCommand) against the stack."""
    return tools.run('org.apache.kafka.tools.ConfigCommand', '--bootstrap-server', b, *args, timeout=60, check=check)


def broker_configs(b, *entity):
    """kafka-configs --describe of a broker entity: {name: (value, synonyms)}."""
    _, out, _ = configs_tool(b, '--entity-type', 'brokers', *entity, '--describe')
    found = {}
    for line in out:
        if not line.startswith('  ') or '=' not in line:
            continue
        name_value, _, rest = line.strip().partition(' sensitive=')
        name, _, value = name_value.partition('=')
        found[name] = (value, rest.partition('synonyms=')[2])
    return found


def send_acks_all(b, topic):
    p = KafkaProducer(bootstrap_servers=b, acks='all', retries=0, request_timeout_ms=10000)
    try:
        p.send(topic, value=b'x', partition=0).get(timeout=20)
    finally:
        p.close()


def refused_for_few_replicas(b, topic):
    try:
        send_acks_all(b, topic)
        return False
    except NotEnoughReplicasError:
        return True


def check_broker_configs(stack, b, adm, nodes):
    """kafka-configs on BROKER resources (see the module docstring)."""
    default = ('--entity-default',)
    configs_tool(b, '--entity-type', 'brokers', *default, '--alter', '--add-config', 'min.insync.replicas=2')
    assert broker_configs(b, *default) == {
        'min.insync.replicas': ('2', '{DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2}')}, \
        broker_configs(b, *default)
    # A topic with no override, on one replica: acks=all needs 2 in the ISR.
    adm.create_topics([NewTopic('bydefault', 1, 1)], timeout_ms=20000)
    wait_isr(stack, 'bydefault', 1)
    assert refused_for_few_replicas(b, 'bydefault'), 'acks=all accepted with ISR 1 < the cluster default 2'
    _, out, _ = configs_tool(b, '--entity-type', 'topics', '--entity-name', 'bydefault', '--describe', '--all')
    line = [x for x in out if x.strip().startswith('min.insync.replicas=')]
    assert line and line[0].strip() == ('min.insync.replicas=2 sensitive=false synonyms={'
                                        'DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, '
                                        'DEFAULT_CONFIG:min.insync.replicas=1}'), line

    # One broker's own value, and everything it runs with (--all).
    node = str(nodes[0])
    one = ('--entity-name', node)
    configs_tool(b, '--entity-type', 'brokers', *one, '--alter', '--add-config', 'log.retention.ms=86400000')
    assert broker_configs(b, *one) == {'log.retention.ms': (
        '86400000', '{DYNAMIC_BROKER_CONFIG:log.retention.ms=86400000, DEFAULT_CONFIG:log.retention.ms=604800000}')}
    every = broker_configs(b, *one, '--all')
    assert every['min.insync.replicas'] == (
        '2', '{DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2, DEFAULT_CONFIG:min.insync.replicas=1}'), every
    assert every['log.segment.bytes'] == ('1073741824', '{DEFAULT_CONFIG:log.segment.bytes=1073741824}'), every
    assert 'unclean.leader.election.enable' in every and 'leader.replication.throttled.rate' in every, every

    # Durable: the coordinator restarts, the values stay and still apply.
    stack.restart('coordinator')
    assert broker_configs(b, *default)['min.insync.replicas'][0] == '2'
    assert broker_configs(b, *one)['log.retention.ms'][0] == '86400000'
    assert refused_for_few_replicas(b, 'bydefault'), 'the cluster default was lost in the coordinator restart'

    # Throttles: setting one fails with a reason; the reassignment tool fails
    # fast with --throttle, and --verify (which deletes them) passes.
    rc, out, err = configs_tool(b, '--entity-type', 'brokers', *one, '--alter', '--add-config',
                                'leader.replication.throttled.rate=1000', check=False)
    assert rc != 0 and 'does not throttle replication' in '\n'.join(out) + err, (rc, out, err)
    leader = stack.describe('bydefault')['partitions'][0]['leader']
    with tempfile.NamedTemporaryFile('w', suffix='.json') as plan:
        json.dump({'version': 1, 'partitions': [{'topic': 'bydefault', 'partition': 0, 'replicas': [leader]}]}, plan)
        plan.flush()
        reassign = 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand'
        rc, out, err = tools.run(reassign, '--bootstrap-server', b, '--reassignment-json-file', plan.name,
                                 '--execute', '--throttle', '1000', timeout=60, check=False)
        said = '\n'.join(out) + err
        assert rc != 0 and 'does not throttle replication' in said, (rc, out, err)
        _, out, _ = tools.run(reassign, '--bootstrap-server', b, '--reassignment-json-file', plan.name,
                              '--verify', timeout=60)
        text = '\n'.join(out)
        assert 'Reassignment of partition bydefault-0 is completed' in text and \
            'Clearing broker-level throttles' in text and 'Clearing topic-level throttles' in text, text

    # Deleting the values: the topic takes Kafka's default again.
    configs_tool(b, '--entity-type', 'brokers', *default, '--alter', '--delete-config', 'min.insync.replicas')
    configs_tool(b, '--entity-type', 'brokers', *one, '--alter', '--delete-config', 'log.retention.ms')
    assert broker_configs(b, *default) == {} and broker_configs(b, *one) == {}
    deadline = time.monotonic() + 20
    while refused_for_few_replicas(b, 'bydefault'):
        assert time.monotonic() < deadline, 'acks=all still refused after the cluster default was deleted'
        time.sleep(0.2)
    print('kafka-configs: cluster default and per-broker values described with Kafka\'s synonyms, applied to '
          'acks=all, kept across a coordinator restart, deleted; throttles refused, reassign --verify passes')


def test():
    global tools
    why = java_clients.missing()
    if why:
        print('kafka-topics checks skipped: %s' % why)
    else:
        java_clients.compile_programs()
        tools = java_clients.ToolSession().__enter__()
    try:
        run(why)
    finally:
        if tools:
            tools.close()


def run(why):
    with SluiceStack(partition_servers=3, partition_args=['--replica-lag-time-max-ms', str(LAG_MS)]) as stack:
        b = stack.bootstrap
        nodes = sorted(stack.node_id(n) for n in stack.partition_server_names())
        adm = KafkaAdminClient(bootstrap_servers=b, request_timeout_ms=20000)
        adm.create_topics([NewTopic('rep', 2, 3, topic_configs={'min.insync.replicas': '2'}),
                           NewTopic('placed', replica_assignments={0: [nodes[2], nodes[0]], 1: [nodes[1], nodes[2]]},
                                    num_partitions=-1, replication_factor=-1)], timeout_ms=20000)
        placed = {p['partition']: p['replicas'] for p in stack.describe('placed')['partitions']}
        assert placed == {0: [nodes[2], nodes[0]], 1: [nodes[1], nodes[2]]}, placed
        wait_isr(stack, 'rep', 3)
        check_brokers_are_partition_servers(stack, nodes)
        check_described_by_kafka_topics(stack, b, 'rep')
        assert under_replicated(b, 'rep') == []

        prod = KafkaProducer(bootstrap_servers=b, acks='all', retries=5, request_timeout_ms=10000)
        for i in range(100):
            prod.send('rep', value=b'kp-%d' % i, partition=i % 2)
        prod.flush(timeout=30)
        subprocess.run(['kcat', '-b', b, '-P', '-t', 'rep', '-p', '0', '-X', 'acks=all'],
                       input=b'\n'.join(b'kcat-%d' % i for i in range(50)) + b'\n', check=True, timeout=30)
        got = read_all(b, 'rep', 2, 150)
        assert sorted(got) == sorted([b'kp-%d' % i for i in range(100)] + [b'kcat-%d' % i for i in range(50)]), \
            'read %d of 150' % len(got)

        # min.insync.replicas=3 with a follower stopped: NOT_ENOUGH_REPLICAS once the ISR shrank.
        adm.create_topics([NewTopic('strict', 1, 3, topic_configs={'min.insync.replicas': '3'})], timeout_ms=20000)
        leader = wait_isr(stack, 'strict', 3)[0]['leader']
        follower = stack.name_of_node([n for n in nodes if n != leader][0])
        stack.kill(follower, signal.SIGSTOP)
        try:
            wait_isr(stack, 'strict', 2)
            strict = KafkaProducer(bootstrap_servers=b, acks='all', retries=0, request_timeout_ms=10000)
            try:
                strict.send('strict', value=b'refused', partition=0).get(timeout=20)
                raise AssertionError('acks=all succeeded with an ISR below min.insync.replicas')
            except NotEnoughReplicasError:
                pass
            if not why:
                shrunk = under_replicated(b, 'strict')
                assert len(shrunk) == 1 and len(ids(shrunk[0]['Replicas'])) == 3, shrunk
                assert sorted(ids(shrunk[0]['Isr'])) == sorted(set(nodes) - {stack.node_id(follower)}), shrunk
        finally:
            stack.kill(follower, signal.SIGCONT)
        wait_isr(stack, 'strict', 3)
        assert under_replicated(b, 'strict') == [], 'still under-replicated after the ISR healed'
        check_described_by_kafka_topics(stack, b, 'strict')
        strict.send('strict', value=b'accepted', partition=0).get(timeout=20)
        assert read_all(b, 'strict', 1, 1) == [b'accepted']
        prod.close()
        strict.close()
        if not why:
            check_broker_configs(stack, b, adm, nodes)
        print('RF 3 and explicit assignments served; acks=all from kafka-python and kcat read back; '
              'NOT_ENOUGH_REPLICAS below min.insync.replicas; kafka-topics shows the replicas, ISR and '
              'under-replicated partition')


if __name__ == '__main__':
    main_guard(test)
