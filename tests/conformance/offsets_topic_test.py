"""__consumer_offsets is readable by any Kafka client, in Kafka's formats, and
compacted.

A classic group (kafka-python member) joins and commits; another group
commits one partition's offset many times (confluent-kafka, no membership).
A plain consumer then reads each group's offsets partition from the
beginning, as Kafka's tools do (kafka-console-consumer's formatter), and
decodes every record with tests/fixtures/offsets_topic.py. Checks:
- every key is OffsetCommitKey or GroupMetadataKey; values decode;
- the member's group has its GroupMetadata (protocol type, generation, member)
  and its commit;
- once the partition servers' log cleaner has run (segments are tiny here),
  the many commits of one key are down to a few, the latest commit is there
  at its original offset, and offsets only grow;
- a restarted group coordinator, replaying the compacted log, answers the
  latest commit of both groups."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402
import offsets_topic  # noqa: E402
from confluent_kafka import Consumer, TopicPartition  # noqa: E402
from kafka import KafkaConsumer  # noqa: E402

TOPIC = 'ot-data'
COMMITS = 400
# Small segments and a fast cleaner tick: the partition servers compact within seconds.
GROUP_ARGS = ['--offsets-segment-bytes', '2048', '--group-initial-rebalance-delay-ms', '0']
PARTITION_ARGS = ['--retention-check-ms', '300']


def commit_many(b, group):
    c = Consumer({'bootstrap.servers': b, 'group.id': group, 'enable.auto.commit': False})
    for i in range(1, COMMITS + 1):
        c.commit(offsets=[TopicPartition(TOPIC, 0, i)], asynchronous=False)
    c.close()


def member_commits(b, group):
    """A classic-protocol member (kafka-python): joins, reads, commits."""
    c = KafkaConsumer(TOPIC, bootstrap_servers=b, group_id=group, auto_offset_reset='earliest',
                      enable_auto_commit=False, consumer_timeout_ms=10000)
    seen = 0
    for _ in c:
        seen += 1
        if seen == 10:
            break
    c.commit()
    return c  # left open: the group keeps its member while we read


def test():
    with SluiceStack(group_coordinator_args=GROUP_ARGS, partition_args=PARTITION_ARGS) as stack:
        b = stack.bootstrap
        clients.create_topic(b, TOPIC, partitions=1)
        p = clients.producer(b)
        for i in range(10):
            p.produce(TOPIC, value=b'%d' % i)
        clients.flush(p)

        member_group = 'ot-members'
        member = member_commits(b, member_group)
        records = offsets_topic.read_partition(b, offsets_topic.offsets_partition_of(member_group))
        groups = {}
        commits = {}
        for offset, key, value in records:
            k = offsets_topic.decode_key(key)
            if k[0] == 'group':
                groups[k[1]] = offsets_topic.decode_group_value(value)
            else:
                commits[k[1:]] = offsets_topic.decode_offset_value(value)
        g = groups.get(member_group)
        assert g and g['protocol_type'] == 'consumer' and g['generation'] >= 1 and len(g['members']) == 1, g
        assert commits.get((member_group, TOPIC, 0), {}).get('offset') == 10, commits
        print('GroupMetadata of %s: generation %d, protocol %s, member %s' %
              (member_group, g['generation'], g['protocol'], g['members'][0]))
        member.close()

        group = 'ot-compacted'
        partition = offsets_topic.offsets_partition_of(group)
        t0 = time.monotonic()
        commit_many(b, group)
        print('%d commits in %.1f s' % (COMMITS, time.monotonic() - t0))
        key = (group, TOPIC, 0)

        def compacted():
            recs = [(o, offsets_topic.decode_key(k), v) for o, k, v in offsets_topic.read_partition(b, partition)]
            mine = [(o, offsets_topic.decode_offset_value(v)) for o, k, v in recs if k[1:] == key]
            return mine if len(mine) < COMMITS // 4 else None

        mine = clients.wait_until('the log cleaner to compact the commits of %r' % (key,), compacted, 60,
                                  interval=1.0)
        offsets = [o for o, _ in mine]
        assert offsets == sorted(offsets), offsets
        assert mine[-1][1]['offset'] == COMMITS, mine[-1]
        # Nothing else was written to this partition after the last commit: it
        # is still the last record, at the offset it was given.
        last = offsets_topic.read_partition(b, partition)[-1]
        assert last[0] == mine[-1][0], (last[0], mine[-1][0])
        print('%d commits of one key compacted to %d records; latest (offset %d) at log offset %d' %
              (COMMITS, len(mine), mine[-1][1]['offset'], mine[-1][0]))

        # A group coordinator that starts afresh replays what the cleaner left:
        # the latest commit of each group is what it answers.
        stack.restart('group-coordinator-0')
        expected = {group: COMMITS, member_group: 10}
        for g, offset in expected.items():
            c = Consumer({'bootstrap.servers': b, 'group.id': g})
            got = clients.wait_until('OffsetFetch of %s after the restart' % g,
                                     lambda: committed_or_none(c), 30)
            c.close()
            assert got == offset, (g, got, offset)
        print('after a group coordinator restart (replay of the compacted log): %r' % expected)


def committed_or_none(consumer):
    """The committed offset of TOPIC/0, or None while the coordinator is loading."""
    try:
        return consumer.committed([TopicPartition(TOPIC, 0)], timeout=5)[0].offset
    except Exception:  # COORDINATOR_LOAD_IN_PROGRESS and the like, while it replays
        return None


if __name__ == '__main__':
    main_guard(test)
