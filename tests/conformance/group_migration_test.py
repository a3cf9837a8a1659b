"""KIP-848 online migration (classic <-> consumer groups, Kafka's
group.consumer.migration.policy, bidirectional by default) with librdkafka
2.x (confluent-kafka in the venv scripts/setup.sh makes beside the build,
which speaks both group.protocol=classic and group.protocol=consumer).
Checks, against a real stack:
- upgrade of an empty group: classic members consume and commit, stop; a
  group.protocol=consumer member then joins the same group and continues
  from the committed offsets (only the records produced since);
- a mixed group: a classic member owns every partition; a consumer-protocol
  member joins (the group becomes a consumer group, ListGroups type
  "consumer") and the two share the partitions, every record read;
- and back (downgrade): the consumer-protocol member leaves, the group is a
  classic group again (ListGroups type "classic") and the classic member
  gets every partition back and keeps consuming.
Without the venv the test reports skipped (77)."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
from test_venv import reexec_in_venv  # noqa: E402
reexec_in_venv()
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402
from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402
from kip848_test import Member, consumer_conf  # noqa: E402

PARTITIONS = 4
GROUP_ARGS = ['--consumer-heartbeat-interval-ms', '500', '--consumer-session-timeout-ms', '6000',
              '--group-initial-rebalance-delay-ms', '0']
DEADLINE_S = 60


def create_topic(bootstrap, name):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for f in admin.create_topics([NewTopic(name, PARTITIONS, 1)]).values():
        f.result(30)


def produce(bootstrap, topic, first, count):
    p = Producer({'bootstrap.servers': bootstrap})
    for i in range(first, first + count):
        p.produce(topic, b'%d' % i, partition=i % PARTITIONS)
    assert p.flush(30) == 0


def member(bootstrap, group, topic, protocol, client_id):
    """A member (kip848_test's: polls in its own thread, commits what it reads) of either protocol."""
    extra = {'group.protocol': protocol, 'client.id': client_id}
    if protocol == 'classic':
        extra.update({'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500})
    return Member(consumer_conf(bootstrap, group, **extra), topic)


def parts(m):
    return [p for _, p in m.assigned]


def group_type(bootstrap, group):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for g in admin.list_consumer_groups().result(30).valid:
        if g.group_id == group:
            return str(g.type).split('.')[-1].lower()
    return None


def seen(members):
    return set(sum((m.seen for m in members), []))


def test_upgrade_continues_from_committed_offsets(b):
    topic, group = 'mig-up', 'mig-up'
    create_topic(b, topic)
    produce(b, topic, 0, 400)
    classic = [member(b, group, topic, 'classic', 'classic-%d' % i) for i in range(2)]
    clients.wait_until('the classic members read everything', lambda: seen(classic) == set(range(400)), DEADLINE_S)
    time.sleep(1)  # the last commits
    for m in classic:
        m.stop()
    produce(b, topic, 400, 200)
    upgraded = member(b, group, topic, 'consumer', 'kip848')
    clients.wait_until('the consumer-protocol member reads the new records',
                       lambda: set(upgraded.seen) >= set(range(400, 600)), DEADLINE_S)
    time.sleep(1)
    old = [v for v in upgraded.seen if v < 400]
    assert not old, 'read again below the committed offsets: %r' % old[:10]
    assert group_type(b, group) == 'consumer', group_type(b, group)
    upgraded.stop()
    print('upgrade: the consumer-protocol member continued from the committed offsets')


def test_mixed_group_and_back(b):
    topic, group = 'mig-mixed', 'mig-mixed'
    create_topic(b, topic)
    produce(b, topic, 0, 200)
    classic = member(b, group, topic, 'classic', 'classic')
    clients.wait_until('the classic member owns every partition',
                       lambda: parts(classic) == list(range(PARTITIONS)), DEADLINE_S)
    assert group_type(b, group) == 'classic'

    modern = member(b, group, topic, 'consumer', 'kip848')
    t0 = time.time()
    clients.wait_until('the two members share the partitions',
                       lambda: len(parts(classic)) == 2 and len(parts(modern)) == 2, DEADLINE_S)
    assert sorted(parts(classic) + parts(modern)) == list(range(PARTITIONS))
    print('mixed group: shared in %.1f s (classic %r, consumer %r)' % (time.time() - t0, parts(classic),
                                                                       parts(modern)))
    assert group_type(b, group) == 'consumer', group_type(b, group)
    produce(b, topic, 200, 200)
    clients.wait_until('every record read by the mixed group', lambda: seen([classic, modern]) >= set(range(400)),
                       DEADLINE_S)
    assert modern.seen, 'the consumer-protocol member read nothing'

    modern.stop()  # the last consumer-protocol member leaves: back to a classic group
    clients.wait_until('the classic member owns every partition again',
                       lambda: parts(classic) == list(range(PARTITIONS)), DEADLINE_S)
    assert group_type(b, group) == 'classic', group_type(b, group)
    produce(b, topic, 400, 100)
    clients.wait_until('the classic member reads on', lambda: set(classic.seen) >= set(range(400, 500)), DEADLINE_S)
    classic.stop()
    print('downgrade: the classic member took every partition back')


def main():
    with SluiceStack(group_coordinator_args=GROUP_ARGS) as stack:
        b = stack.bootstrap
        test_upgrade_continues_from_committed_offsets(b)
        test_mixed_group_and_back(b)
    print('OK')


if __name__ == '__main__':
    main_guard(main)
