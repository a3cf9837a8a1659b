#!/usr/bin/env python3
"""Chaos: a consumer group survives the SIGKILL of the group coordinator
instance serving it, with its committed offsets intact.

Three partition servers (so __consumer_offsets is created with replication
factor 3), three group coordinators, a librdkafka producer writing sequence
numbers to a 6-partition topic, and a group of three librdkafka members
that commit synchronously after every batch they consume. While it runs:

  1. the instance serving the group is found: the group's offsets partition
     is abs(Java hashCode(group)) % 50 (Kafka's rule), and the instance
     serving a partition logs "__consumer_offsets-N loaded" once replayed;
  2. that instance is killed with SIGKILL;
  3. another instance must take the partition over (replaying it), the group
     must go on committing, and no OffsetFetch may ever answer less than a
     commit acknowledged before it was sent, before or after the kill;
  4. once producing stops the lag returns to zero (committed == log end on
     every partition) and every acknowledged record was consumed;
  5. the killed instance is restarted (it takes a share of the partitions
     back) and the group still works: new records are consumed and
     committed, lag zero again;
  6. the instance serving the group is paused with SIGSTOP past its lease,
     so another takes the shard over, and resumed: the commits it still had
     queued are refused by the partition servers (its shard epoch is old),
     it registers again (and may get the shard back under a new epoch),
     offsets never go back, lag returns to zero.

Prints the takeover time (kill -> survivor loaded the partition), the time to
the first acknowledged commit after the kill, commit errors and duplicates.
Asserts behaviour, not times. Bounded: about a minute; loopback only.
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402
from offsets_topic import java_string_hash, offsets_partition_of  # noqa: E402
from group_shards import serving_instances, wait_single_owner  # noqa: E402

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient  # noqa: E402

TOPIC = 'chaos-groups'
GROUP = 'chaos-group'
PARTITIONS = 6
MEMBERS = 3
RATE_PER_S = 300
SESSION_MS = 10000
# New groups rebalance at once; short sessions allowed.
GROUP_COORDINATOR_ARGS = ['--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '1000']
WAIT_S = 60


def wait_until(what, fn, timeout=WAIT_S, detail=None, interval=0.1):
    return clients.wait_until(what, fn, timeout, detail, interval)


# ---------------------------------------------------------- the group

class CommittingMember(threading.Thread):
    """A librdkafka group member that commits synchronously after each batch
    and records every acknowledged commit (partition, offset, time returned)
    and every record it consumed (partition, offset, seq)."""

    def __init__(self, name, bootstrap):
        super().__init__(name=name, daemon=True)
        self.conf = {'bootstrap.servers': bootstrap, 'group.id': GROUP, 'client.id': name,
                     'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
                     'session.timeout.ms': SESSION_MS, 'heartbeat.interval.ms': 500,
                     'fetch.wait.max.ms': 100}
        self.lock = threading.Lock()
        self.held = set()
        self.assignments = 0  # rebalances this member went through
        self.records = []
        self.acked_commits = []
        self.commit_errors = []
        self.failure = None
        self.halt = threading.Event()

    def _assign(self, consumer, partitions):
        consumer.assign(partitions)
        with self.lock:
            self.held = {p.partition for p in partitions}
            self.assignments += 1

    def _revoke(self, consumer, partitions):
        consumer.unassign()
        with self.lock:
            self.held = set()

    def run(self):
        try:
            c = Consumer(self.conf)
            c.subscribe([TOPIC], on_assign=self._assign, on_revoke=self._revoke, on_lost=self._revoke)
            while not self.halt.is_set():
                self._consume_and_commit(c)
            c.close()
        except BaseException as e:  # reported by stop()
            self.failure = e

    def _consume_and_commit(self, c):
        last = {}
        for m in c.consume(num_messages=200, timeout=0.2):
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    with self.lock:
                        self.commit_errors.append((time.monotonic(), 'consume: %s' % m.error()))
                continue
            last[m.partition()] = m.offset()
            with self.lock:
                self.records.append((m.partition(), m.offset(), int(m.value())))
        if not last:
            return
        try:
            c.commit(offsets=[TopicPartition(TOPIC, p, o + 1) for p, o in last.items()], asynchronous=False)
            now = time.monotonic()
            with self.lock:
                self.acked_commits.extend((p, o + 1, now) for p, o in last.items())
        except KafkaException as e:  # coordinator moving or rebalance: these records come again
            with self.lock:
                self.commit_errors.append((time.monotonic(), str(e)))

    def holding(self):
        with self.lock:
            return frozenset(self.held)

    def stop(self, timeout=30):
        self.halt.set()
        self.join(timeout)
        assert not self.is_alive(), '%s did not stop within %ds' % (self.name, timeout)
        assert self.failure is None, '%s failed: %r' % (self.name, self.failure)


def balanced(members):
    held = [m.holding() for m in members]
    return all(len(h) == PARTITIONS // len(members) for h in held) and set().union(*held) == set(range(PARTITIONS))


def acked_commits(members):
    out = []
    for m in members:
        with m.lock:
            out.extend(m.acked_commits)
    return out


def acked_before(members, t):
    """{partition: highest committed offset acknowledged before t}."""
    best = {}
    for p, o, at in acked_commits(members):
        if at < t:
            best[p] = max(o, best.get(p, -1))
    return best


# ------------------------------------------------------ OffsetFetch

class OffsetSampler(threading.Thread):
    """Asks the group's committed offsets (OffsetFetch through kafka-python's
    admin) over and over, keeping (time sent, {partition: offset}) for each
    answer and (time, error) for each failure."""

    def __init__(self, bootstrap):
        super().__init__(name='offset-sampler', daemon=True)
        self.admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
        self.lock = threading.Lock()
        self.samples = []
        self.errors = []
        self.halt = threading.Event()

    def fetch(self):
        res = self.admin.list_consumer_group_offsets(GROUP)
        return {tp.partition: om.offset for tp, om in res.items() if tp.topic == TOPIC}

    def run(self):
        while not self.halt.is_set():
            sent = time.monotonic()
            try:
                got = self.fetch()
                with self.lock:
                    self.samples.append((sent, got))
            except Exception as e:  # coordinator moving: counted, not failed
                with self.lock:
                    self.errors.append((sent, repr(e)))
            time.sleep(0.1)

    def first_answer_after(self, t):
        with self.lock:
            return next(((s, got) for s, got in self.samples if s > t), None)

    def stop(self):
        self.halt.set()
        self.join(30)
        assert not self.is_alive(), 'the OffsetFetch sampler did not stop'
        self.admin.close()


def regressions(samples, members):
    """Answers that said less than a commit acknowledged before they were sent."""
    commits = sorted(acked_commits(members), key=lambda c: c[2])
    bad = []
    best = {}
    i = 0
    for sent, got in sorted(samples, key=lambda s: s[0]):
        while i < len(commits) and commits[i][2] < sent:
            p, o, _ = commits[i]
            best[p] = max(o, best.get(p, -1))
            i += 1
        for p, floor in best.items():
            if got.get(p, -1) < floor:
                bad.append((round(sent, 2), p, got.get(p), floor))
    return bad


def log_end_offsets(bootstrap):
    c = clients.consumer(bootstrap, **{'group.id': GROUP + '-watermarks'})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10)[1] for p in range(PARTITIONS)}
    finally:
        c.close()


def wait_lag_zero(bootstrap, sampler, what):
    """Waits until committed == log end on every partition; returns seconds."""
    started = time.monotonic()
    ends = log_end_offsets(bootstrap)

    def caught_up():
        try:
            return sampler.fetch() == ends
        except Exception:
            return False
    wait_until('%s: lag back to zero (log end %r)' % (what, ends), caught_up,
               detail=lambda: sampler.fetch(), interval=0.25)
    return time.monotonic() - started


def check_all_consumed(members, acked):
    consumed = set()
    total = 0
    for m in members:
        with m.lock:
            consumed.update(seq for _p, _o, seq in m.records)
            total += len(m.records)
    missing = sorted(set(acked) - consumed)
    print('produced %d acknowledged, consumed %d records, %d duplicates' % (len(acked), total, total - len(consumed)))
    assert not missing, '%d acknowledged records never consumed: %r' % (len(missing), missing[:20])


# ------------------------------------------------------------- test

def rebalances(members):
    return sum(m.assignments for m in members)


def kill_owner(stack, members, sampler, partition):
    """SIGKILLs the instance serving `partition`; checks another takes it over
    with the acknowledged commits. Returns the killed instance's name."""
    owner = wait_single_owner(stack, partition)
    assignments_before = rebalances(members)
    floor = acked_before(members, time.monotonic())
    assert len(floor) == PARTITIONS, 'not every partition committed before the kill: %r' % floor
    stack.kill(owner, signal.SIGKILL)
    killed_at = time.monotonic()
    print('killed %s serving __consumer_offsets-%d; commits acknowledged before: %r' % (owner, partition, floor))

    successor = wait_single_owner(stack, partition, exclude=(owner,))
    loaded_at = time.monotonic()
    first_commit = wait_until('a commit acknowledged after the kill',
                              lambda: min((at for _p, _o, at in acked_commits(members) if at > killed_at),
                                          default=None))
    answer = wait_until('an OffsetFetch answered after the takeover', lambda: sampler.first_answer_after(loaded_at))
    print('takeover: %s loaded __consumer_offsets-%d %.2fs after the kill; first acknowledged commit after '
          '%.2fs; first OffsetFetch answer after the takeover %.2fs after the kill: %r'
          % (successor, partition, loaded_at - killed_at, first_commit - killed_at, answer[0] - killed_at, answer[1]))
    time.sleep(1)
    print('assignments the members received during the takeover: %d (the new owner replays the group, '
          'so none are needed)' % (rebalances(members) - assignments_before))
    behind = {p: (answer[1].get(p), o) for p, o in floor.items() if answer[1].get(p, -1) < o}
    assert not behind, 'committed offsets went back after the takeover (partition: (now, acked before)): %r' % behind
    return owner


def pause_owner(stack, members, sampler, partition):
    """SIGSTOPs the instance serving `partition` past its lease, so another
    takes the shard over, then resumes it. Whatever it still had queued must
    not reach the log (the partition servers refuse its old shard epoch). It
    registers again and may be given the shard back, under a new epoch, after
    replaying it: either way one instance serves it in the end."""
    owner = wait_single_owner(stack, partition)
    floor = acked_before(members, time.monotonic())
    service = stack.service(owner)
    service.signal(signal.SIGSTOP)
    paused_at = time.monotonic()
    try:
        successor = wait_until('another instance serving __consumer_offsets-%d' % partition,
                               lambda: next((n for n in serving_instances(stack, partition) if n != owner), None))
    finally:
        service.signal(signal.SIGCONT)
    taken_at = time.monotonic()
    time.sleep(1)  # the resumed instance learns it lost its lease and registers again
    final = wait_single_owner(stack, partition)
    answer = wait_until('an OffsetFetch answered after the takeover', lambda: sampler.first_answer_after(taken_at))
    print('paused %s serving __consumer_offsets-%d; %s took over %.2fs later; after the resume %s serves it'
          % (owner, partition, successor, taken_at - paused_at, final))
    behind = {p: (answer[1].get(p), o) for p, o in floor.items() if answer[1].get(p, -1) < o}
    assert not behind, 'committed offsets went back after the pause (partition: (now, acked before)): %r' % behind


def restart_owner(stack, name, partition):
    stack.restart(name)
    started = time.monotonic()
    owner = wait_single_owner(stack, partition)
    print('restarted %s; __consumer_offsets-%d served by %s %.2fs later'
          % (name, partition, owner, time.monotonic() - started))


def test():
    partition = offsets_partition_of(GROUP)
    assert java_string_hash('hello') == 99162322 and java_string_hash('polygenelubricants') == -(1 << 31)
    with SluiceStack(partition_servers=3, group_coordinators=3,
                     group_coordinator_args=GROUP_COORDINATOR_ARGS) as stack:
        b = stack.bootstrap
        clients.create_topic(b, TOPIC, PARTITIONS, replication_factor=3)
        members = [CommittingMember('%s-%d' % (GROUP, i), b) for i in range(MEMBERS)]
        for m in members:
            m.start()
        sampler = OffsetSampler(b)
        producer = clients.SequenceProducer(b, TOPIC, PARTITIONS, rate_per_s=RATE_PER_S)
        more = None
        try:
            wait_until('the group balanced', lambda: balanced(members),
                       detail=lambda: [sorted(m.holding()) for m in members])
            producer.start()
            sampler.start()
            wait_until('every partition committed', lambda: len(acked_before(members, time.monotonic())) == PARTITIONS)
            time.sleep(2)

            killed = kill_owner(stack, members, sampler, partition)
            time.sleep(3)  # the group goes on under the new owner
            acked = producer.finish()
            print('lag zero %.2fs after producing stopped' % wait_lag_zero(b, sampler, 'after the takeover'))
            check_all_consumed(members, acked)

            restart_owner(stack, killed, partition)
            more = clients.SequenceProducer(b, TOPIC, PARTITIONS, rate_per_s=RATE_PER_S)
            more.next_seq = max(acked) + 1
            more.start()
            time.sleep(3)
            acked.update(more.finish())
            print('lag zero %.2fs after producing stopped (killed instance back)'
                  % wait_lag_zero(b, sampler, 'after the restart'))
            check_all_consumed(members, acked)

            paused = clients.SequenceProducer(b, TOPIC, PARTITIONS, rate_per_s=RATE_PER_S)
            paused.next_seq = max(acked) + 1
            more = paused
            paused.start()
            time.sleep(2)
            pause_owner(stack, members, sampler, partition)
            time.sleep(2)
            acked.update(paused.finish())
            print('lag zero %.2fs after producing stopped (paused instance resumed)'
                  % wait_lag_zero(b, sampler, 'after the pause'))
            check_all_consumed(members, acked)
        finally:
            for p in (producer, more):
                if p is not None and p.thread.is_alive():
                    p.finish()
            if sampler.is_alive():
                sampler.stop()
            for m in members:
                m.stop()

        bad = regressions(sampler.samples, members)
        errors = [e for m in members for e in m.commit_errors]
        print('OffsetFetch: %d answers, %d failures; commits: %d acknowledged, %d failed; regressions %d'
              % (len(sampler.samples), len(sampler.errors), len(acked_commits(members)), len(errors), len(bad)))
        for t, e in (sampler.errors[:3] + errors[:5]):
            print('  failure at %.2f: %s' % (t, e[:200]))
        assert not bad, 'OffsetFetch answered less than an acknowledged commit (t, partition, got, floor): %r' \
            % bad[:10]


if __name__ == '__main__':
    main_guard(test)
