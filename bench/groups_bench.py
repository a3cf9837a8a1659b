#!/usr/bin/python3
"""Consumer-group figures against a running stack, with Debian's
confluent-kafka (librdkafka 2.0.2, classic protocol). Prints one JSON object:

- failover_s: a member of a 3-member group is killed with SIGKILL while a
  producer writes; seconds from the kill until a record of one of its
  partitions is consumed again by a survivor (bounded below by the 6 s
  session timeout: the coordinator learns of a death only by its silence).
- rebalance_s: 10 members subscribe to a 100-partition topic; seconds from
  the last subscribe until every member holds its 10 partitions.
- leave_rebalance_s: one of those members closes (LeaveGroup); seconds until
  the 9 left hold all 100 partitions again.
- commits_per_s: OffsetCommit requests answered per second, from
  `committers` consumers each keeping async commits in flight for `seconds`;
  each commit is durable (acks=all) before it is answered.

  bench/groups_bench.py BOOTSTRAP [--committers 8] [--seconds 10]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

SESSION_MS = 6000


def create_topic(bootstrap, name, partitions):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    for f in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        f.result(30)
    time.sleep(0.5)


class Member(threading.Thread):
    """A group member polling in its own thread (poll serves the rebalance callbacks)."""

    def __init__(self, bootstrap, group, topic, on_record=None):
        super().__init__(daemon=True)
        self.consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group,
                                  'auto.offset.reset': 'latest', 'session.timeout.ms': SESSION_MS,
                                  'heartbeat.interval.ms': 500})
        self.consumer.subscribe([topic])
        self.on_record = on_record
        self.count = 0
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.is_set():
            m = self.consumer.poll(0.05)
            if m is not None and not m.error() and self.on_record:
                self.on_record(m)
            self.count = len(self.consumer.assignment())
        self.consumer.close()

    def stop(self):
        self.halt.set()
        self.join(30)


def wait_for(predicate, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if predicate():
            return time.time()
        time.sleep(0.01)
    raise RuntimeError('timed out')


MEMBER = r'''
import sys
from confluent_kafka import Consumer
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': sys.argv[2], 'auto.offset.reset': 'latest',
              'session.timeout.ms': %d, 'heartbeat.interval.ms': 500})
c.subscribe([sys.argv[3]])
while True:
    c.poll(0.05)
    print(','.join(str(tp.partition) for tp in c.assignment()), flush=True)
''' % SESSION_MS


def failover(bootstrap, tag):
    topic = group = 'bench-failover-' + tag
    create_topic(bootstrap, topic, 6)
    child = subprocess.Popen([sys.executable, '-c', MEMBER, bootstrap, group, topic], stdout=subprocess.PIPE)
    resumed = {}
    killed_at = [None]
    dead_parts = set()

    def record(m):
        if killed_at[0] is not None and m.partition() in dead_parts and 'at' not in resumed:
            resumed['at'] = time.time()

    survivors = [Member(bootstrap, group, topic, record) for _ in range(2)]
    try:
        line = b''
        deadline = time.time() + 60
        while time.time() < deadline:  # the child's assignment once the group has settled
            line = child.stdout.readline().strip()
            if line and len(line.split(b',')) == 2 and sum(s.count for s in survivors) == 4:
                break
        dead_parts.update(int(p) for p in line.split(b','))
        producer = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
        stop = threading.Event()

        def produce():
            while not stop.is_set():
                for p in range(6):
                    producer.produce(topic, b'x', partition=p)
                producer.poll(0)
                time.sleep(0.01)
            producer.flush(10)

        feeder = threading.Thread(target=produce, daemon=True)
        feeder.start()
        time.sleep(1)
        killed_at[0] = time.time()
        child.send_signal(signal.SIGKILL)
        wait_for(lambda: 'at' in resumed, timeout=60)
        stop.set()
        feeder.join(10)
        return resumed['at'] - killed_at[0]
    finally:
        child.kill()
        child.wait()
        for s in survivors:
            s.stop()


def rebalance(bootstrap, tag):
    topic = group = 'bench-rebalance-' + tag
    create_topic(bootstrap, topic, 100)
    members = []
    for _ in range(10):
        members.append(Member(bootstrap, group, topic))
    started = time.time()
    settled = wait_for(lambda: all(m.count == 10 for m in members))
    leaving = members.pop()
    left_at = time.time()
    leaving.stop()
    resettled = wait_for(lambda: sum(m.count for m in members) == 100 and all(m.count >= 11 for m in members))
    for m in members:
        m.stop()
    return settled - started, resettled - left_at


def commits(bootstrap, tag, committers, seconds):
    topic = 'bench-commits-' + tag
    create_topic(bootstrap, topic, committers)
    done = [0] * committers
    errors = [0] * committers

    def run(i):
        def on_commit(err, partitions):
            if err is None:
                done[i] += 1
            else:
                errors[i] += 1

        c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'bench-commits-%s-%d' % (tag, i),
                      'enable.auto.commit': False, 'on_commit': on_commit})
        offset = 0
        end = time.time() + seconds
        while time.time() < end:
            # Keep about 64 commits in flight: async commits are answered through poll().
            while offset - done[i] - errors[i] < 64:
                offset += 1
                c.commit(offsets=[TopicPartition(topic, i, offset)], asynchronous=True)
            c.poll(0.001)
        while offset - done[i] - errors[i] > 0 and time.time() < end + 10:
            c.poll(0.01)
        c.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(committers)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    if sum(errors):
        raise RuntimeError('%d commits failed' % sum(errors))
    return sum(done) / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('bootstrap')
    ap.add_argument('--committers', type=int, default=8)
    ap.add_argument('--seconds', type=float, default=10)
    ap.add_argument('--tag', default=str(os.getpid()))
    a = ap.parse_args()
    result = {'failover_s': round(failover(a.bootstrap, a.tag), 3)}
    settled, resettled = rebalance(a.bootstrap, a.tag)
    result['rebalance_s'] = round(settled, 3)
    result['leave_rebalance_s'] = round(resettled, 3)
    result['commits_per_s'] = round(commits(a.bootstrap, a.tag, a.committers, a.seconds))
    print(json.dumps(result))


if __name__ == '__main__':
    main()
