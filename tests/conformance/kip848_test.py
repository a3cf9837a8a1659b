"""KIP-848 consumer groups (group.protocol=consumer) with a librdkafka new
enough to speak ConsumerGroupHeartbeat: confluent-kafka from PyPI in the venv
scripts/setup.sh makes beside the build (Debian 12's librdkafka 2.0.2 is too
old). Checks, against a real stack:
- three members on six partitions get two each (server-side `uniform`);
- `group.remote.assignor=range` gives each member a contiguous range;
- a member that leaves hands its partitions over and nothing is skipped;
- a member killed with SIGKILL loses its partitions after the session timeout;
- committed offsets survive the group emptying;
- a static member (group.instance.id) that restarts within the session
  timeout gets its partitions back and the other member keeps its own;
- ConsumerGroupDescribe (admin client) shows the members and epochs;
- a restarted group coordinator replays the group from __consumer_offsets
  (Kafka's ConsumerGroup* records, decoded with tests/fixtures/offsets_topic.py):
  both members keep their ids and partitions, without a rebalance, and keep
  consuming without a gap."""
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
from test_venv import reexec_in_venv  # noqa: E402
reexec_in_venv()
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402
import offsets_topic  # noqa: E402
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

SESSION_MS = 6000
GROUP_ARGS = ['--consumer-heartbeat-interval-ms', '500', '--consumer-session-timeout-ms', str(SESSION_MS)]
DEADLINE_S = 60


def create_topic(bootstrap, name, partitions):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for f in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        f.result(30)


def produce(bootstrap, topic, count, partitions, first=0):
    p = Producer({'bootstrap.servers': bootstrap})
    for i in range(first, first + count):
        p.produce(topic, b'%d' % i, partition=i % partitions)
    assert p.flush(30) == 0


def consumer_conf(bootstrap, group, **extra):
    conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'group.protocol': 'consumer',
            'auto.offset.reset': 'earliest', 'enable.auto.commit': False}
    conf.update(extra)
    return conf


class Member(threading.Thread):
    """One group member polling in its own thread, committing what it reads."""

    def __init__(self, conf, topic):
        super().__init__(daemon=True)
        self.consumer = Consumer(conf)
        self.consumer.subscribe([topic])
        self.seen = []
        self.assigned = []
        self.history = []  # every assignment it had, in order
        self.stop_event = threading.Event()
        self.start()

    def run(self):
        while not self.stop_event.is_set():
            m = self.consumer.poll(0.1)
            if m is not None and not m.error():
                self.seen.append(int(m.value()))
                try:
                    self.consumer.commit(message=m, asynchronous=False)
                except KafkaException as e:  # the coordinator restarting: the next commit covers this one
                    print('commit failed: %s' % e)
            self.assigned = sorted((tp.topic, tp.partition) for tp in self.consumer.assignment())
            if not self.history or self.history[-1] != self.assigned:
                self.history.append(self.assigned)
        self.consumer.close()

    def stop(self):
        self.stop_event.set()
        self.join(30)


def wait_for(what, predicate, timeout=DEADLINE_S):
    """Seconds until predicate() holds (clients.wait_until, timed)."""
    t0 = time.time()
    clients.wait_until(what, predicate, timeout)
    return time.time() - t0


def test_three_members_share_six_partitions(b):
    create_topic(b, 'k848-share', 6)
    produce(b, 'k848-share', 600, 6)
    members = [Member(consumer_conf(b, 'k848-share', **{'client.id': 'm%d' % i}), 'k848-share') for i in range(3)]
    took = wait_for('two partitions each', lambda: all(len(m.assigned) == 2 for m in members))
    wait_for('every record', lambda: len(set(sum((m.seen for m in members), []))) == 600)
    owned = sorted(sum((m.assigned for m in members), []))
    assert owned == [('k848-share', p) for p in range(6)], owned
    print('three members balanced in %.1f s' % took)
    describe(b, 'k848-share', members=3)
    for m in members:
        m.stop()


def describe(b, group, members):
    admin = AdminClient({'bootstrap.servers': b})
    desc = admin.describe_consumer_groups([group])[group].result(30)
    print('described: state %s, %d members, assignor %s' % (desc.state, len(desc.members), desc.partition_assignor))
    assert len(desc.members) == members
    assert all(m.client_id.startswith('m') for m in desc.members)


def test_range_assignor(b):
    create_topic(b, 'k848-range', 6)
    members = [Member(consumer_conf(b, 'k848-range', **{'group.remote.assignor': 'range'}), 'k848-range')
               for _ in range(2)]
    wait_for('three partitions each', lambda: all(len(m.assigned) == 3 for m in members))
    for m in members:
        parts = [p for _, p in m.assigned]
        assert parts == list(range(parts[0], parts[0] + 3)), parts  # one contiguous range
    for m in members:
        m.stop()


def test_leaving_member_hands_over_without_gaps(b):
    create_topic(b, 'k848-leave', 4)
    produce(b, 'k848-leave', 400, 4)
    a = Member(consumer_conf(b, 'k848-leave'), 'k848-leave')
    c = Member(consumer_conf(b, 'k848-leave'), 'k848-leave')
    wait_for('two each', lambda: len(a.assigned) == 2 and len(c.assigned) == 2)
    a.stop()
    took = wait_for('all four with the survivor', lambda: len(c.assigned) == 4)
    produce(b, 'k848-leave', 400, 4, first=400)
    wait_for('every record', lambda: set(a.seen) | set(c.seen) == set(range(800)))
    print('handover after a leave: %.1f s' % took)
    c.stop()
    # Committed offsets outlive the group's members.
    late = Consumer(consumer_conf(b, 'k848-leave'))
    committed = late.committed([TopicPartition('k848-leave', p) for p in range(4)], timeout=30)
    assert sum(tp.offset for tp in committed) == 800, committed
    late.close()


def test_static_member_restart_keeps_assignments(b):
    create_topic(b, 'k848-static', 4)
    a = Member(consumer_conf(b, 'k848-static', **{'group.instance.id': 'static-a'}), 'k848-static')
    c = Member(consumer_conf(b, 'k848-static', **{'group.instance.id': 'static-c'}), 'k848-static')
    wait_for('two each', lambda: len(a.assigned) == 2 and len(c.assigned) == 2)
    a_had, c_had = list(a.assigned), list(c.assigned)
    a.stop()  # librdkafka leaves with member epoch -2: away for a while, not gone
    # Well inside the session timeout: nothing may move to the member that stayed.
    time.sleep(SESSION_MS / 3000)
    assert c.assigned == c_had, (c.assigned, c_had)
    back = Member(consumer_conf(b, 'k848-static', **{'group.instance.id': 'static-a'}), 'k848-static')
    took = wait_for('the restarted member\'s partitions', lambda: back.assigned == a_had)
    assert c.assigned == c_had, (c.assigned, c_had)
    print('static member back on its partitions %.1f s after restarting' % took)
    back.stop()
    c.stop()


MEMBER_SCRIPT = r'''
import sys, time
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2], 'group.protocol': 'consumer',
              'auto.offset.reset': 'earliest'})
c.subscribe([sys.argv[3]])
while True:
    c.poll(0.1)
    if c.assignment():
        print('assigned', flush=True)
'''


def test_killed_member_loses_its_partitions(b):
    create_topic(b, 'k848-kill', 4)
    child = subprocess.Popen([sys.executable, '-c', MEMBER_SCRIPT, b, 'k848-kill', 'k848-kill'],
                             stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().startswith(b'assigned')
        survivor = Member(consumer_conf(b, 'k848-kill'), 'k848-kill')
        wait_for('two each', lambda: len(survivor.assigned) == 2)
        child.send_signal(signal.SIGKILL)
        t0 = time.time()
        wait_for('the dead member\'s partitions', lambda: len(survivor.assigned) == 4, timeout=SESSION_MS / 1000 + 30)
        took = time.time() - t0
        print('partitions moved %.1f s after SIGKILL (session timeout %d ms)' % (took, SESSION_MS))
        assert took >= SESSION_MS / 1000 - 1  # not before the session could have expired
        survivor.stop()
    finally:
        child.kill()
        child.wait()


def described_members(b, group):
    """{member id: sorted partitions} from ConsumerGroupDescribe, retried
    while the coordinator is loading or moving."""
    admin = AdminClient({'bootstrap.servers': b})
    out = {}

    def stable():
        try:
            desc = admin.describe_consumer_groups([group])[group].result(10)
        except Exception as e:  # COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR: ask again
            print('describe %s: %s' % (group, e))
            return False
        out.clear()
        for m in desc.members:
            out[m.member_id] = sorted(tp.partition for tp in m.assignment.topic_partitions)
        return len(out) == 2 and all(len(p) == 2 for p in out.values())
    clients.wait_until('%s described with two members on two partitions each' % group, stable, DEADLINE_S)
    return dict(out)


def stored_members(b, group):
    """{member id: (member epoch, partitions)} as the group's KIP-848 records
    in __consumer_offsets say, latest record per key, tombstones removing."""
    latest = {}
    for _, key, value in offsets_topic.read_partition(b, offsets_topic.offsets_partition_of(group)):
        k = offsets_topic.decode_key(key)
        if k[1] == group:
            latest[k] = value
    members = {}
    for k, value in latest.items():
        if k[0] == 'consumer_member' and value is not None:
            assert offsets_topic.decode_consumer_member_value(value)['subscribed_topic_names'] == [group], k
        if k[0] == 'consumer_current_assignment' and value is not None:
            v = offsets_topic.decode_current_assignment_value(value)
            members[k[2]] = (v['member_epoch'], sorted(p for _, ps in v['assigned'] for p in ps))
    assert set(members) == {k[2] for k, v in latest.items() if k[0] == 'consumer_member' and v is not None}, latest
    return members


def test_members_survive_a_coordinator_restart(stack, b):
    topic = 'k848-restart'
    create_topic(b, topic, 4)
    produce(b, topic, 400, 4)
    a = Member(consumer_conf(b, topic, **{'client.id': 'ma'}), topic)
    c = Member(consumer_conf(b, topic, **{'client.id': 'mc'}), topic)
    wait_for('two each', lambda: len(a.assigned) == 2 and len(c.assigned) == 2)
    wait_for('every record', lambda: set(a.seen) | set(c.seen) == set(range(400)))
    before = described_members(b, topic)
    # Settled: both members at the same epoch in the log (the last one to
    # heartbeat after the second join may still be a step behind).
    stored = {}

    def settled():
        stored.clear()
        stored.update(stored_members(b, topic))
        return len(stored) == 2 and len({epoch for epoch, _ in stored.values()}) == 1
    clients.wait_until('both members at one epoch in __consumer_offsets', settled, DEADLINE_S)
    assert {m: ps for m, (_, ps) in stored.items()} == before, (stored, before)
    stored = dict(stored)
    a_had, c_had = list(a.assigned), list(c.assigned)
    a_changes, c_changes = len(a.history), len(c.history)
    t0 = time.time()
    stack.restart('group-coordinator-0')
    after = described_members(b, topic)
    print('coordinator back %.1f s after the restart began; members %s' % (time.time() - t0, sorted(after)))
    assert after == before, (after, before)
    produce(b, topic, 400, 4, first=400)
    wait_for('every record after the restart', lambda: set(a.seen) | set(c.seen) == set(range(800)))
    # Nobody rejoined: a rejoin drops the member's partitions and starts the
    # group over, which the assignment histories would show.
    assert a.assigned == a_had and c.assigned == c_had, (a.assigned, a_had, c.assigned, c_had)
    assert len(a.history) == a_changes and len(c.history) == c_changes, (a.history, c.history)
    assert described_members(b, topic) == before
    # Same member epochs in the log: the group did not rebalance.
    assert stored_members(b, topic) == stored, (stored_members(b, topic), stored)
    a.stop()
    c.stop()


def main():
    with SluiceStack(group_coordinator_args=GROUP_ARGS) as stack:
        b = stack.bootstrap
        test_three_members_share_six_partitions(b)
        test_range_assignor(b)
        test_leaving_member_hands_over_without_gaps(b)
        test_static_member_restart_keeps_assignments(b)
        test_killed_member_loses_its_partitions(b)
        test_members_survive_a_coordinator_restart(stack, b)


if __name__ == '__main__':
    main_guard(main)
