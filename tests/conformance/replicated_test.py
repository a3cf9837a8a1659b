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
"""
import json
import os
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
        print('RF 3 and explicit assignments served; acks=all from kafka-python and kcat read back; '
              'NOT_ENOUGH_REPLICAS below min.insync.replicas; kafka-topics shows the replicas, ISR and '
              'under-replicated partition')


if __name__ == '__main__':
    main_guard(test)
