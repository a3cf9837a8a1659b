"""Consumer groups (classic protocol) with Debian's real clients, kafka-python
2.0.2 and confluent-kafka 1.7 (librdkafka 2.0.2), against a real stack:

  1. three members of one group split a 6-partition topic two each (both clients);
  2. a member killed with SIGKILL: its partitions move to the survivors once
     its session expires, and they resume from its committed offsets, so no
     produced record is skipped (duplicates are counted, and allowed);
  3. auto, sync and async commits persist: a new member starts at the
     committed position and OffsetFetch (admin and committed()) agrees (both clients);
  4. two groups on one topic each get every record, members of one group share it;
  5. seek to beginning, end, an offset and a timestamp in a group member (both clients);
  6. cooperative-sticky (librdkafka): a joining member takes partitions
     without the existing member losing the ones it keeps;
  7. static membership (group.instance.id): a member restarted within its
     session gets its partitions back without a rebalance; DescribeGroups and
     ListGroups (both admin clients) show the group Stable with its members.

Members run in their own thread (each client must keep polling to heartbeat
and rebalance; kafka-python's poll blocks during a rebalance) or, where the
test kills one, as a child process: this file run with --member JSON.

Asserts behaviour only; times are printed. Bounded by ctest's TIMEOUT and by
every wait here. Loopback only.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition  # noqa: E402
from kafka import ConsumerRebalanceListener, KafkaConsumer  # noqa: E402
from kafka import TopicPartition as KpTopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

# New groups rebalance at once (no initial delay), and sessions as short as
# a second are allowed, so the tests need not wait Kafka's defaults.
GROUP_COORDINATOR_ARGS = ['--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '1000']
SESSION_MS = 6000
HEARTBEAT_MS = 500
WAIT_S = 60  # bound of every wait for the group to settle


def wait_until(what, fn, timeout=WAIT_S, detail=None, interval=0.1):
    return clients.wait_until(what, fn, timeout, detail, interval)


def served(poll, cond):
    """A wait_until condition that first runs the client's poll, where both
    clients run their callbacks (commits, rebalances) and auto commits."""
    def check():
        poll()
        return cond()
    return check


def produce(bootstrap, topic, count, first=0, partition_of=None, timestamp_of=None):
    """Produces values b'<i>' for i in [first, first+count) and returns
    {i: (partition, offset)} once all are acknowledged."""
    acked, errors = {}, []

    def report(err, msg):
        if err is not None:
            errors.append(err)
        else:
            acked[int(msg.value())] = (msg.partition(), msg.offset())
    p = clients.producer(bootstrap, acks='all')
    for i in range(first, first + count):
        kw = {}
        if partition_of is not None:
            kw['partition'] = partition_of(i)
        if timestamp_of is not None:
            kw['timestamp'] = timestamp_of(i)
        p.produce(topic, value=b'%d' % i, key=b'%d' % i, on_delivery=report, **kw)
    clients.flush(p)
    assert not errors and len(acked) == count, (len(acked), errors[:3])
    return acked


def ck_conf(bootstrap, group, name, **extra):
    conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'client.id': name,
            'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
            'session.timeout.ms': SESSION_MS, 'heartbeat.interval.ms': HEARTBEAT_MS,
            'fetch.wait.max.ms': 100}
    conf.update(extra)
    return conf


def kp_consumer(bootstrap, group, name, **extra):
    conf = dict(bootstrap_servers=bootstrap, group_id=group, client_id=name, auto_offset_reset='earliest',
                enable_auto_commit=False, session_timeout_ms=SESSION_MS, heartbeat_interval_ms=HEARTBEAT_MS,
                fetch_max_wait_ms=100, request_timeout_ms=30000)
    conf.update(extra)
    return KafkaConsumer(**conf)


def kp_admin(bootstrap):
    return KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)


# ---------------------------------------------------------------- members

class MemberLog:
    """What a member holds, its rebalance callbacks (kind, partitions,
    monotonic time) and the records it got, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.held = set()
        self.events = []
        self.records = []

    def note(self, kind, partitions, at=None):
        with self.lock:
            if kind == 'assign':
                self.held |= set(partitions)
            else:
                self.held -= set(partitions)
            self.events.append((kind, sorted(partitions), at if at is not None else time.monotonic()))

    def holding(self):
        with self.lock:
            return frozenset(self.held)

    def got(self):
        with self.lock:
            return list(self.records)

    def events_since(self, index):
        with self.lock:
            return list(self.events[index:])


class Member(threading.Thread, MemberLog):
    """A group member polled by its own thread; records are (partition,
    offset, value)."""

    def __init__(self, name):
        threading.Thread.__init__(self, name=name, daemon=True)
        MemberLog.__init__(self)
        self.errors = []
        self.failure = None
        self.halt = threading.Event()

    def run(self):
        try:
            self.open()
            while not self.halt.is_set():
                self.poll_once()
        except BaseException as e:  # reported by stop()
            self.failure = e
        finally:
            try:
                self.close_client()
            except Exception as e:
                self.failure = self.failure or e

    def stop(self, timeout=30):
        self.halt.set()
        self.join(timeout)
        assert not self.is_alive(), '%s did not stop within %ds' % (self.name, timeout)
        if self.failure is not None:
            raise AssertionError('member %s failed: %r' % (self.name, self.failure))

    def add_record(self, partition, offset, value):
        with self.lock:
            self.records.append((partition, offset, value))


class CkMember(Member):
    """confluent-kafka member. With cooperative-sticky its callbacks receive
    increments (incremental_assign/unassign); eagerly they receive the whole
    assignment, revoked in full before each rebalance."""

    def __init__(self, name, bootstrap, group, topic, **conf):
        super().__init__(name)
        self.conf = ck_conf(bootstrap, group, name, **conf)
        self.topic = topic
        self.cooperative = 'cooperative' in self.conf.get('partition.assignment.strategy', '')

    def open(self):
        self.client = Consumer(self.conf)
        self.client.subscribe([self.topic], on_assign=self._assign, on_revoke=self._revoke, on_lost=self._lost)

    def _assign(self, consumer, partitions):
        if self.cooperative:
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
        self.note('assign', [p.partition for p in partitions])

    def _revoke(self, consumer, partitions):
        if self.cooperative:
            consumer.incremental_unassign(partitions)
        else:
            consumer.unassign()
        self.note('revoke', [p.partition for p in partitions])

    def _lost(self, consumer, partitions):
        self._revoke(consumer, partitions)
        self.note('lost', [p.partition for p in partitions])

    def poll_once(self):
        m = self.client.poll(0.2)
        if m is None:
            return
        if m.error():
            if m.error().code() != KafkaError._PARTITION_EOF:
                self.errors.append(str(m.error()))
            return
        self.add_record(m.partition(), m.offset(), m.value())

    def close_client(self):
        self.client.close()


class KpMember(Member):
    """kafka-python member; its rebalance listener records the callbacks."""

    def __init__(self, name, bootstrap, group, topic, **conf):
        super().__init__(name)
        self.args = (bootstrap, group, name)
        self.conf = conf
        self.topic = topic

    def open(self):
        member = self

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                member.note('revoke', [tp.partition for tp in revoked])

            def on_partitions_assigned(self, assigned):
                member.note('assign', [tp.partition for tp in assigned])
        self.client = kp_consumer(*self.args, **self.conf)
        self.client.subscribe([self.topic], listener=Listener())

    def poll_once(self):
        for _tp, msgs in self.client.poll(timeout_ms=200).items():
            for m in msgs:
                self.add_record(m.partition, m.offset, m.value)

    def close_client(self):
        self.client.close(autocommit=False)


MEMBER_CLASSES = {'confluent-kafka': CkMember, 'kafka-python': KpMember}


def start_members(cls, bootstrap, group, topic, count, **conf):
    members = [cls('%s-%d' % (group, i), bootstrap, group, topic, **conf) for i in range(count)]
    for m in members:
        m.start()
    return members


def stop_members(members):
    failures = []
    for m in members:
        try:
            m.stop()
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, failures


def balanced(members, partitions):
    """Each member holds its even share, and together they hold every
    partition exactly once."""
    held = [m.holding() for m in members]
    share = partitions // len(members)
    return all(len(h) == share for h in held) and set().union(*held) == set(range(partitions))


def holdings(members):
    return {m.name: sorted(m.holding()) for m in members}


# ------------------------------------------- child process member (killable)

def member_process(cfg):
    """Child mode: one confluent-kafka group member that prints what happens
    to it as JSON lines on stdout and commits synchronously after every batch
    it has printed (so a printed commit never covers an unprinted record).
    Runs until SIGTERM (closes cleanly), SIGKILL, or cfg['max_life_s']."""
    halt = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: halt.set())
    topic = cfg['topic']

    def emit(**kv):
        sys.stdout.write(json.dumps(kv) + '\n')
        sys.stdout.flush()

    def on_assign(c, ps):
        c.assign(ps)
        emit(ev='assign', partitions=[p.partition for p in ps])

    def on_revoke(c, ps):
        c.unassign()
        emit(ev='revoke', partitions=[p.partition for p in ps])

    c = Consumer(ck_conf(cfg['bootstrap'], cfg['group'], cfg['name'], **cfg.get('conf', {})))
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    deadline = time.monotonic() + cfg.get('max_life_s', 240)
    while not halt.is_set() and time.monotonic() < deadline:
        last = {}
        for m in c.consume(num_messages=100, timeout=0.2):
            if m.error():
                if m.error().code() != KafkaError._PARTITION_EOF:
                    emit(ev='error', error=str(m.error()))
                continue
            emit(ev='record', p=m.partition(), o=m.offset(), v=m.value().decode())
            last[m.partition()] = m.offset()
        if not last:
            continue
        try:
            c.commit(offsets=[TopicPartition(topic, p, o + 1) for p, o in last.items()], asynchronous=False)
            emit(ev='commit', offsets={str(p): o + 1 for p, o in last.items()})
        except KafkaException as e:  # e.g. a rebalance under way: the records come again
            emit(ev='commit_error', error=str(e))
    c.close()
    emit(ev='closed')


class ChildMember(MemberLog):
    """The parent's view of a member_process: what it holds, its callbacks,
    records (partition, offset, seq, t) and acknowledged commits, each
    stamped with the time the parent read it."""

    def __init__(self, name, bootstrap, group, topic, log_dir, conf=None):
        self.name = name
        cfg = {'name': name, 'bootstrap': bootstrap, 'group': group, 'topic': topic, 'conf': conf or {}}
        self.log = open(os.path.join(log_dir, name + '.log'), 'ab')
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), '--member', json.dumps(cfg)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log)
        MemberLog.__init__(self)
        self.commits = {}   # partition -> last acknowledged committed offset
        self.commit_errors = 0
        self.reader = threading.Thread(target=self._read, daemon=True, name=name + '-reader')
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            e = json.loads(line)
            now = time.monotonic()
            if e['ev'] in ('assign', 'revoke'):
                self.note(e['ev'], e['partitions'], now)
                continue
            with self.lock:
                if e['ev'] == 'record':
                    self.records.append((e['p'], e['o'], int(e['v']), now))
                elif e['ev'] == 'commit':
                    for p, o in e['offsets'].items():
                        self.commits[int(p)] = o
                elif e['ev'] == 'commit_error':
                    self.commit_errors += 1

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)
        self.reader.join(10)
        self.log.close()

    def stop(self, timeout=30):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError('%s did not stop on SIGTERM within %ds' % (self.name, timeout))
        finally:
            self.reader.join(10)
            self.log.close()


def stop_children(children):
    for c in children:
        if c.proc.poll() is None:
            c.stop()


# ------------------------------------------------------------------ tests

def test_three_members_split_six_partitions(b, client):
    """1. Three members of a group on a 6-partition topic hold two partitions
    each, and records produced then reach only the member holding their
    partition, each exactly once."""
    topic = group = 'cg-split-' + client
    clients.create_topic(b, topic, 6)
    started = time.monotonic()
    members = start_members(MEMBER_CLASSES[client], b, group, topic, 3)
    try:
        wait_until('%s: three members holding two partitions each' % client,
                   lambda: balanced(members, 6), detail=lambda: holdings(members))
        print('%s: 3 members balanced %.2fs after start: %r' % (client, time.monotonic() - started, holdings(members)))
        acked = produce(b, topic, 600, partition_of=lambda i: i % 6)
        wait_until('%s: all 600 records consumed' % client, lambda: sum(len(m.got()) for m in members) >= 600,
                   detail=lambda: [len(m.got()) for m in members])
        time.sleep(0.5)  # let a stray duplicate show up, if any
        for m in members:
            stray = [(p, o) for p, o, _ in m.got() if p not in m.holding()]
            assert not stray, '%s got records of partitions it does not hold: %r' % (m.name, stray[:5])
        consumed = sorted((p, o) for m in members for p, o, _ in m.got())
        assert consumed == sorted(acked.values()), 'consumed %d records for 600 produced (%d distinct)' \
            % (len(consumed), len(set(consumed)))
    finally:
        stop_members(members)


def test_killed_member(b, log_dir):
    """2. SIGKILL a member: once its session expires the survivors take its
    partitions and resume from its committed offsets, so every produced
    sequence number is consumed (duplicates counted, allowed)."""
    topic = group = 'cg-kill'
    clients.create_topic(b, topic, 6)
    children = [ChildMember('%s-%d' % (group, i), b, group, topic, log_dir) for i in range(3)]
    producer = None
    try:
        wait_until('three child members holding two partitions each', lambda: balanced(children, 6),
                   detail=lambda: holdings(children))
        producer = clients.SequenceProducer(b, topic, 6, rate_per_s=300).start()
        wait_until('the victim consumed and committed', lambda: len(children[0].commits) == 2 and
                   len(children[0].got()) >= 50, detail=lambda: (children[0].commits, len(children[0].got())))
        victim, survivors = children[0], children[1:]
        moved = victim.holding()
        victim.kill()
        killed_at = time.monotonic()
        committed_before = dict(victim.commits)
        consumed_before = {}
        for p, o, _seq, _t in victim.got():
            consumed_before[p] = max(o, consumed_before.get(p, -1))
        print('killed %s holding %s; its last acknowledged commits %r, last consumed offsets %r'
              % (victim.name, sorted(moved), committed_before, consumed_before))

        wait_until('survivors hold the killed member\'s partitions', lambda: balanced(survivors, 6),
                   timeout=SESSION_MS / 1000 + WAIT_S, detail=lambda: holdings(survivors))
        moved_at = time.monotonic()
        print('partitions %s moved to the survivors %.2fs after the kill (session.timeout.ms %d): %r'
              % (sorted(moved), moved_at - killed_at, SESSION_MS, holdings(survivors)))
        time.sleep(2)
        acked = producer.finish()
        producer = None
        check_nothing_skipped(children, acked)
        check_resumed_from_commits(survivors, moved, killed_at, committed_before, consumed_before)
    finally:
        if producer is not None:
            producer.finish()
        stop_children(children)


def check_nothing_skipped(children, acked):
    def consumed():
        return {seq for c in children for _p, _o, seq, _t in c.got()}
    wait_until('every acknowledged sequence number consumed', lambda: set(acked) <= consumed(),
               detail=lambda: sorted(set(acked) - consumed())[:20])
    total = sum(len(c.got()) for c in children)
    print('produced %d, consumed %d records, %d distinct, %d duplicates (redelivered after the kill), '
          '%d failed commits' % (len(acked), total, len(consumed()), total - len(consumed()),
                                 sum(c.commit_errors for c in children)))


def check_resumed_from_commits(survivors, moved, killed_at, committed_before, consumed_before):
    """A moved partition's new owner starts at the killed member's committed
    offset: not before what it acknowledged, not after what it consumed."""
    for p in sorted(moved):
        firsts = [o for c in survivors for q, o, _s, t in c.got() if q == p and t > killed_at]
        assert firsts, 'nobody consumed partition %d after the kill' % p
        first = min(firsts)
        low = committed_before.get(p, 0)
        high = consumed_before.get(p, -1) + 1
        print('partition %d: new owner started at offset %d (victim committed %d, consumed up to %d)'
              % (p, first, low, high - 1))
        assert low <= first <= high, 'partition %d resumed at %d, outside [committed %d, consumed+1 %d]' \
            % (p, first, low, high)


def ck_poll_records(c, count, timeout=WAIT_S):
    """Polls a confluent consumer until it returned `count` records."""
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is not None and not m.error():
            out.append((m.partition(), m.offset()))
    assert len(out) == count, 'got %d of %d records' % (len(out), count)
    return out


def kp_poll_records(c, count, timeout=WAIT_S):
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        for _tp, msgs in c.poll(timeout_ms=200, max_records=count - len(out)).items():
            out.extend((m.partition, m.offset) for m in msgs)
    assert len(out) == count, 'got %d of %d records' % (len(out), count)
    return out


def next_positions(records):
    """{partition: last consumed offset + 1}."""
    out = {}
    for p, o in records:
        out[p] = max(out.get(p, 0), o + 1)
    return out


def ck_commit(b, topic, group, mode):
    """confluent-kafka: consumes 25 records as a group member and commits
    their positions by `mode` (auto, sync or async); returns {partition:
    committed offset} once committed() (an OffsetFetch) reports it."""
    conf = {'enable.auto.commit': mode == 'auto', 'auto.commit.interval.ms': 200}
    done = []
    if mode == 'async':
        conf['on_commit'] = lambda err, parts: done.append((err, parts))
    c = Consumer(ck_conf(b, group, group, **conf))
    try:
        c.subscribe([topic])
        # Auto commit stores each returned record's offset + 1; after the
        # last poll the position stays put, so the timer commits exactly this.
        expected = next_positions(ck_poll_records(c, 25))
        tps = [TopicPartition(topic, p, o) for p, o in expected.items()]
        if mode == 'sync':
            res = c.commit(offsets=tps, asynchronous=False)
            assert all(tp.error is None for tp in res), res
        elif mode == 'async':
            c.commit(offsets=tps, asynchronous=True)
            wait_until('async commit callback', served(lambda: c.poll(0.1), lambda: done))
            assert done[0][0] is None and all(tp.error is None for tp in done[0][1]), done
        wait_until('committed() shows the %s commit' % mode,
                   lambda: {tp.partition: tp.offset for tp in c.committed(tps, timeout=10)} == expected,
                   detail=lambda: c.committed(tps, timeout=10))
        return expected
    finally:
        c.close()


def kp_commit(b, topic, group, mode):
    """kafka-python: the same as ck_commit."""
    c = kp_consumer(b, group, group, enable_auto_commit=mode == 'auto', auto_commit_interval_ms=200)
    try:
        c.subscribe([topic])
        expected = next_positions(kp_poll_records(c, 25))
        offsets = {KpTopicPartition(topic, p): OffsetAndMetadata(o, '') for p, o in expected.items()}
        if mode == 'sync':
            c.commit(offsets)
        elif mode == 'async':
            done = []
            c.commit_async(offsets, callback=lambda offs, resp: done.append(resp))
            # kafka-python runs commit callbacks from poll(); the commit names
            # its offsets, so records polled meanwhile do not change it.
            wait_until('async commit callback', served(lambda: c.poll(timeout_ms=100, max_records=1), lambda: done))
            assert not isinstance(done[0], Exception), done
        else:
            # kafka-python auto-commits from poll(): keep polling, paused, so
            # the position (what it commits) does not move.
            c.pause(*c.assignment())
        # committed() answers from the member's cache once a commit succeeded;
        # the caller's admin OffsetFetch checks the coordinator.
        wait_until('committed() shows the %s commit' % mode,
                   served(lambda: c.poll(timeout_ms=100),
                          lambda: all(c.committed(KpTopicPartition(topic, p)) == o for p, o in expected.items())),
                   detail=lambda: {p: c.committed(KpTopicPartition(topic, p)) for p in expected})
        return expected
    finally:
        c.close(autocommit=False)


def first_offsets_of_new_member(b, topic, group, client, partitions):
    """The first offset a new member of `group` consumes on each partition."""
    firsts = {}
    deadline = time.monotonic() + WAIT_S
    if client == 'confluent-kafka':
        c = Consumer(ck_conf(b, group, group + '-next'))
        c.subscribe([topic])
        try:
            while len(firsts) < partitions and time.monotonic() < deadline:
                m = c.poll(0.2)
                if m is not None and not m.error():
                    firsts.setdefault(m.partition(), m.offset())
        finally:
            c.close()
    else:
        c = kp_consumer(b, group, group + '-next')
        c.subscribe([topic])
        try:
            while len(firsts) < partitions and time.monotonic() < deadline:
                for tp, msgs in c.poll(timeout_ms=200).items():
                    firsts.setdefault(tp.partition, msgs[0].offset)
        finally:
            c.close(autocommit=False)
    assert len(firsts) == partitions, 'new member got records of partitions %r only' % sorted(firsts)
    return firsts


def test_commits_persist(b):
    """3. Each commit mode of each client persists: the admin's OffsetFetch
    and a new member of the group both see the committed position."""
    topic = 'cg-commit'
    clients.create_topic(b, topic, 2)
    produce(b, topic, 200, partition_of=lambda i: i % 2)
    adm = kp_admin(b)
    try:
        for client, commit in (('confluent-kafka', ck_commit), ('kafka-python', kp_commit)):
            for mode in ('auto', 'sync', 'async'):
                group = 'cg-commit-%s-%s' % (client, mode)
                started = time.monotonic()
                expected = commit(b, topic, group, mode)
                fetched = {tp.partition: om.offset for tp, om in adm.list_consumer_group_offsets(group).items()}
                assert {p: fetched.get(p) for p in expected} == expected, (group, fetched, expected)
                assert all(fetched[p] in (0, -1) for p in fetched if p not in expected), (group, fetched, expected)
                firsts = first_offsets_of_new_member(b, topic, group, client, 2)
                assert firsts == {p: expected.get(p, 0) for p in range(2)}, (group, firsts, expected)
                print('%s %s commit: committed %r, OffsetFetch %r, next member started at %r (%.2fs)'
                      % (client, mode, expected, fetched, firsts, time.monotonic() - started))
    finally:
        adm.close()


def test_two_groups(b):
    """4. Two groups on one topic (one of each client) each receive every
    record; inside each group the members hold disjoint partitions."""
    topic = 'cg-two'
    clients.create_topic(b, topic, 4)
    groups = {'cg-two-ck': start_members(CkMember, b, 'cg-two-ck', topic, 2),
              'cg-two-kp': start_members(KpMember, b, 'cg-two-kp', topic, 2)}
    try:
        for g, members in groups.items():
            wait_until('%s: two members holding two partitions each' % g, lambda: balanced(members, 4),
                       detail=lambda: holdings(members))
        acked = produce(b, topic, 400, partition_of=lambda i: i % 4)
        for g, members in groups.items():
            wait_until('%s: every record' % g, lambda: sum(len(m.got()) for m in members) >= 400,
                       detail=lambda: [len(m.got()) for m in members])
        time.sleep(0.5)
        for g, members in groups.items():
            consumed = sorted((p, o) for m in members for p, o, _ in m.got())
            assert consumed == sorted(acked.values()), '%s consumed %d records (%d distinct) of 400' \
                % (g, len(consumed), len(set(consumed)))
            a, b2 = [{p for p, _, _ in m.got()} for m in members]
            assert not a & b2, '%s: both members got partitions %r' % (g, a & b2)
            print('%s: 400 records, members got partitions %r' % (g, holdings(members)))
    finally:
        stop_members([m for ms in groups.values() for m in ms])


def ck_next_offset(c, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is not None and not m.error():
            return m.offset()
    return None


def kp_next_offset(c, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for _tp, msgs in c.poll(timeout_ms=200, max_records=1).items():
            return msgs[0].offset
    return None


def ck_seeks(b, topic, t0):
    c = Consumer(ck_conf(b, 'cg-seek-ck', 'cg-seek-ck'))
    c.subscribe([topic])
    try:
        wait_until('confluent-kafka: assignment', served(lambda: c.poll(0.2), c.assignment))
        tp = lambda o: TopicPartition(topic, 0, o)  # noqa: E731
        c.seek(tp(confluent_kafka.OFFSET_BEGINNING))
        assert ck_next_offset(c) == 0
        c.seek(tp(42))
        assert ck_next_offset(c) == 42
        found = c.offsets_for_times([tp(t0 + 57 * 1000 - 500)], timeout=20)[0]
        assert found.offset == 57, found
        c.seek(tp(found.offset))
        assert ck_next_offset(c) == 57
        c.seek(tp(confluent_kafka.OFFSET_END))
        assert ck_next_offset(c, timeout=2) is None, 'read an old record after seeking to the end'
        late = produce(b, topic, 1, first=1000)[1000][1]
        assert ck_next_offset(c) == late
    finally:
        c.close()


def kp_seeks(b, topic, t0):
    c = kp_consumer(b, 'cg-seek-kp', 'cg-seek-kp')
    c.subscribe([topic])
    try:
        wait_until('kafka-python: assignment', served(lambda: c.poll(timeout_ms=200), c.assignment))
        tp = KpTopicPartition(topic, 0)
        c.seek_to_beginning(tp)
        assert kp_next_offset(c) == 0
        c.seek(tp, 42)
        assert kp_next_offset(c) == 42
        found = c.offsets_for_times({tp: t0 + 57 * 1000 - 500})[tp]
        assert found is not None and found.offset == 57, found
        c.seek(tp, found.offset)
        assert kp_next_offset(c) == 57
        c.seek_to_end(tp)
        assert kp_next_offset(c, timeout=2) is None, 'read an old record after seeking to the end'
        late = produce(b, topic, 1, first=2000)[2000][1]
        assert kp_next_offset(c) == late
    finally:
        c.close(autocommit=False)


def test_seek(b):
    """5. A group member (subscribe, not assign) seeks to the beginning, an
    offset, a timestamp (offsets_for_times) and the end."""
    topic = 'cg-seek'
    clients.create_topic(b, topic, 1)
    t0 = int(time.time() * 1000) - 3600 * 1000
    produce(b, topic, 100, partition_of=lambda i: 0, timestamp_of=lambda i: t0 + 1000 * i)
    ck_seeks(b, topic, t0)
    kp_seeks(b, topic, t0)
    print('seek to beginning, offset, timestamp and end: both clients')


def test_cooperative_sticky(b):
    """6. cooperative-sticky: when a second member joins, the first only
    gives up (on_revoke, incremental_unassign) the partitions that move; it
    keeps the rest throughout (an eager rebalance would revoke all six)."""
    topic = group = 'cg-coop'
    clients.create_topic(b, topic, 6)
    conf = {'partition.assignment.strategy': 'cooperative-sticky'}
    first = CkMember(group + '-0', b, group, topic, **conf)
    first.start()
    second = None
    try:
        wait_until('first member holds all six', lambda: first.holding() == frozenset(range(6)),
                   detail=lambda: first.events_since(0))
        mark = len(first.events_since(0))
        joined = time.monotonic()
        second = CkMember(group + '-1', b, group, topic, **conf)
        second.start()
        wait_until('two members holding three partitions each', lambda: balanced([first, second], 6),
                   detail=lambda: (first.events_since(0), second.events_since(0)))
        print('cooperative rebalance done %.2fs after the second member started' % (time.monotonic() - joined))
        events = first.events_since(mark)
        revoked = {p for kind, ps, _ in events if kind == 'revoke' for p in ps}
        print('first member after the join: %r; second: %r' % ([(k, ps) for k, ps, _ in events],
                                                                 [(k, ps) for k, ps, _ in second.events_since(0)]))
        assert not any(kind == 'lost' for kind, _, _ in events), events
        assert revoked == set(second.holding()), 'first member revoked %r, second holds %r' \
            % (sorted(revoked), sorted(second.holding()))
        assert not revoked & first.holding(), 'first member had %r revoked and still holds them' % (revoked,)
        held = set(range(6))
        for kind, ps, _ in events:  # it must hold what it keeps at every step
            held = held | set(ps) if kind == 'assign' else held - set(ps)
            assert first.holding() <= held, 'first member gave up partitions it kept: %r' % events
    finally:
        stop_members([m for m in (first, second) if m is not None])


def check_group_described(b, group, members_by_client_id):
    """DescribeGroups and ListGroups through both admin clients: the group is
    Stable, uses the consumer protocol, and lists exactly these members."""
    ck = [g for g in clients.admin(b).list_groups(group, timeout=20) if g.id == group]
    assert len(ck) == 1, ck
    g = ck[0]
    assert g.state == 'Stable' and g.protocol_type == 'consumer' and g.protocol == 'range', \
        (g.state, g.protocol_type, g.protocol)
    assert sorted(m.client_id for m in g.members) == sorted(members_by_client_id), \
        [(m.id, m.client_id) for m in g.members]
    all_groups = {x.id for x in clients.admin(b).list_groups(timeout=20)}
    assert group in all_groups, all_groups

    adm = kp_admin(b)
    try:
        listed = dict(adm.list_consumer_groups())
        assert listed.get(group) == 'consumer', listed
        (info,) = adm.describe_consumer_groups([group])
        assert info.error_code == 0 and info.state == 'Stable' and info.protocol_type == 'consumer', info
        got = {m.client_id: sorted(p for _t, ps in m.member_assignment.assignment for p in ps) for m in info.members}
        assert got == members_by_client_id, (got, members_by_client_id)
        print('DescribeGroups %s: %s, protocol %s, members %r' % (group, info.state, info.protocol, got))
    finally:
        adm.close()


def restart_static_member(children, index, b, group, topic, log_dir, conf):
    """SIGKILLs children[index] and starts it again with the same
    group.instance.id at once (well within its session): it must get the same
    partitions back, and the other member must see no rebalance. Returns
    None, or what went wrong."""
    victim, other = children[index], children[1 - index]
    before = victim.holding()
    mark = len(other.events_since(0))
    victim.kill()
    killed_at = time.monotonic()
    again = ChildMember(victim.name, b, group, topic, log_dir, conf)
    children[index] = again
    wait_until('the restarted static member holds partitions again', lambda: len(again.holding()) == 3,
               detail=lambda: holdings(children))
    print('static member %s back with %r %.2fs after the kill (it had %r)'
          % (victim.name, sorted(again.holding()), time.monotonic() - killed_at, sorted(before)))
    time.sleep(1)  # a rebalance would have reached the other member by now
    problems = []
    if again.holding() != before:
        problems.append('restarted static member got %r, had %r' % (sorted(again.holding()), sorted(before)))
    if other.events_since(mark):
        problems.append('the other member was rebalanced: %r' % [(k, ps) for k, ps, _ in other.events_since(mark)])
    return '; '.join(problems) or None


def test_static_membership(b, log_dir):
    """7. Static membership: a member (group.instance.id) killed and started
    again within its session gets the same partitions back and the other
    member sees no rebalance (Kafka: a known static member rejoining a Stable
    group with unchanged protocols is given its assignment, leader or not);
    the admin clients describe the group."""
    topic = group = 'cg-static'
    clients.create_topic(b, topic, 6)
    conf = lambda i: {'group.instance.id': '%s-instance-%d' % (group, i), 'session.timeout.ms': 10000}  # noqa: E731
    # The first member to join leads the group (and keeps leading while it
    # stays), so both cases below are certain: a follower restarts, then the leader.
    children = [ChildMember(group + '-0', b, group, topic, log_dir, conf(0))]
    try:
        wait_until('the first static member holds all six', lambda: len(children[0].holding()) == 6,
                   detail=lambda: holdings(children))
        children.append(ChildMember(group + '-1', b, group, topic, log_dir, conf(1)))
        wait_until('two static members holding three partitions each', lambda: balanced(children, 6),
                   detail=lambda: holdings(children))
        check_group_described(b, group, {c.name: sorted(c.holding()) for c in children})
        problems = {}
        for role, index in (('follower', 1), ('leader', 0)):
            problem = restart_static_member(children, index, b, group, topic, log_dir, conf(index))
            if problem:
                problems[role] = problem
            wait_until('two static members holding three partitions each', lambda: balanced(children, 6),
                       detail=lambda: holdings(children))
        check_group_described(b, group, {c.name: sorted(c.holding()) for c in children})
        assert not problems, 'static member restarts: %r' % problems
    finally:
        stop_children(children)


def test():
    with SluiceStack(partition_servers=2, group_coordinator_args=GROUP_COORDINATOR_ARGS) as stack:
        b = stack.bootstrap
        steps = [
            ('split confluent-kafka', lambda: test_three_members_split_six_partitions(b, 'confluent-kafka')),
            ('split kafka-python', lambda: test_three_members_split_six_partitions(b, 'kafka-python')),
            ('killed member', lambda: test_killed_member(b, stack.log_dir)),
            ('commits persist', lambda: test_commits_persist(b)),
            ('two groups', lambda: test_two_groups(b)),
            ('seek', lambda: test_seek(b)),
            ('cooperative-sticky', lambda: test_cooperative_sticky(b)),
            ('static membership', lambda: test_static_membership(b, stack.log_dir)),
        ]
        only = os.environ.get('CG_ONLY')  # run one step by name when debugging
        failed = []
        for name, step in steps:
            if only and only not in name:
                continue
            started = time.monotonic()
            print('--- %s' % name, flush=True)
            try:
                step()
                print('--- %s: ok (%.1fs)' % (name, time.monotonic() - started), flush=True)
            except Exception as e:
                import traceback
                traceback.print_exc()
                failed.append('%s: %s' % (name, str(e)[:500]))
                print('--- %s: FAILED (%.1fs)' % (name, time.monotonic() - started), flush=True)
        assert not failed, 'failed steps:\n  ' + '\n  '.join(failed)


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--member':
        member_process(json.loads(sys.argv[2]))
    else:
        main_guard(test)
