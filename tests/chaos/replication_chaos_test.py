#!/usr/bin/env python3
"""Chaos: no acknowledged write is lost while servers die, stall and the
coordinator goes away.

Three partition servers, a topic with replication factor 3 and
min.insync.replicas=2, and a librdkafka producer (acks=all, one request in
flight per partition so retries cannot reorder) writing sequence numbers at
a steady rate. While it writes:

  1. the server leading partition 0 is killed with SIGKILL, then restarted;
  2. a follower is stopped with SIGSTOP for longer than
     replica.lag.time.max.ms (but shorter than its lease), then resumed;
  3. the coordinator is killed with SIGKILL, then restarted;
  4. a leader is paused with SIGSTOP past its lease: the coordinator elects
     another leader while the old one is frozen; resumed, the old leader
     finds its lease gone, fences itself and follows, truncating whatever
     it wrote alone.

Afterwards every acknowledged record must be readable at the offset its
acknowledgement reported (so the log keeps the acknowledged order within a
partition), and every ISR must heal back to all three replicas. The test prints acked, lost,
duplicates, the longest gap without acknowledgements and the failover time
(leader killed -> first acknowledgement of a record sent to its partitions
after the kill).

Bounded: about two minutes; loopback only.
"""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

TOPIC = 'chaos'
PARTITIONS = 3
RATE_PER_S = 400
LEASE_TTL_MS = 6000
LAG_MAX_MS = 1500
STALL_S = 3.0  # > LAG_MAX_MS, < LEASE_TTL_MS: the ISR shrinks by lag, the lease holds


class SequenceProducer:
    """Writes 0, 1, 2, ... round-robin over the partitions at RATE_PER_S and
    records which were acknowledged, when, and at which offset."""

    def __init__(self, bootstrap):
        self.p = clients.producer(bootstrap, **{
            'acks': 'all',
            'max.in.flight.requests.per.connection': 1,
            'retries': 1000000,
            'retry.backoff.ms': 100,
            'message.timeout.ms': 120000,
            'request.timeout.ms': 10000,
            'linger.ms': 5,
        })
        self.lock = threading.Lock()
        self.sent_at = {}    # seq -> monotonic send time
        self.acked = {}      # seq -> (partition, offset, monotonic ack time)
        self.failed = []     # (seq, error) never acknowledged
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.next_seq = 0

    def _report(self, err, msg):
        seq = int(msg.value())
        with self.lock:
            if err is not None:
                self.failed.append((seq, str(err)))
            else:
                self.acked[seq] = (msg.partition(), msg.offset(), time.monotonic())

    def _run(self):
        interval = 1.0 / RATE_PER_S
        next_at = time.monotonic()
        while not self.stop.is_set():
            seq = self.next_seq
            self.next_seq += 1
            with self.lock:
                self.sent_at[seq] = time.monotonic()
            while True:
                try:
                    self.p.produce(TOPIC, value=b'%d' % seq, key=b'%d' % seq,
                                   partition=seq % PARTITIONS, on_delivery=self._report)
                    break
                except BufferError:
                    self.p.poll(0.05)
            self.p.poll(0)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def start(self):
        self.thread.start()

    def finish(self, timeout=120):
        self.stop.set()
        self.thread.join()
        left = self.p.flush(timeout)
        if left:
            raise AssertionError('%d records neither acknowledged nor failed within %ds' % (left, timeout))

    def first_ack_after(self, t, partitions):
        """Monotonic time of the first acknowledgement of a record sent after
        `t` to one of `partitions`."""
        with self.lock:
            times = [at for seq, (p, _, at) in self.acked.items()
                     if p in partitions and self.sent_at[seq] > t]
        return min(times) if times else None


def leader_of(stack, partition):
    for p in stack.describe(TOPIC)['partitions']:
        if p['partition'] == partition:
            return p['leader']
    raise AssertionError('partition %d not described' % partition)


def wait_isr_healed(stack, timeout=60):
    """Waits until every partition has a leader and all replicas in its ISR."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = stack.describe(TOPIC)['partitions']
            if all(p['leader'] >= 0 and sorted(p['isr']) == sorted(p['replicas']) for p in last):
                return time.monotonic()
        except Exception as e:  # the coordinator may be coming back
            last = e
        time.sleep(0.25)
    raise AssertionError('ISR did not heal within %ds: %r' % (timeout, last))


def wait_isr_shrunk(stack, node, timeout):
    """Whether `node` left some ISR within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        parts = stack.describe(TOPIC)['partitions']
        if any(node in p['replicas'] and node not in p['isr'] for p in parts):
            return True
        time.sleep(0.1)
    return False


def longest_gap(ack_times):
    ts = sorted(ack_times)
    return max((b - a for a, b in zip(ts, ts[1:])), default=0.0)


def check_log(records, acked):
    """Returns (lost, misplaced, duplicates, client_reorders).

    lost: acknowledged sequence numbers absent from their partition.
    misplaced: acknowledged ones present, but not at the offset their
    acknowledgement reported (so the log keeps the order in which writes were
    acknowledged, and nothing acknowledged moved).
    client_reorders: adjacent first occurrences with falling sequence numbers.
    librdkafka 2.0.2 without idempotence can send a later batch before
    retrying an earlier failed one (seen: a retried record landing after 600
    later ones, even with max.in.flight=1), so these are reported, not failed:
    what the broker promises is the acknowledged order.
    """
    at = {}          # (partition, offset) -> seq
    present = set()  # (partition, seq)
    by_partition = {}
    for m in records:
        seq = int(m.value())
        at[(m.partition(), m.offset())] = seq
        present.add((m.partition(), seq))
        by_partition.setdefault(m.partition(), []).append((m.offset(), seq))
    duplicates = 0
    client_reorders = 0
    for entries in by_partition.values():
        seen = set()
        previous = None
        for _, seq in sorted(entries):
            if seq in seen:
                duplicates += 1
                continue
            seen.add(seq)
            if previous is not None and seq < previous:
                client_reorders += 1
            previous = seq
    lost = sorted(s for s, (p, _, _) in acked.items() if (p, s) not in present)
    misplaced = sorted(s for s, (p, offset, _) in acked.items() if (p, s) in present and at.get((p, offset)) != s)
    return lost, misplaced, duplicates, client_reorders


def test():
    with SluiceStack(partition_servers=3,
                     coordinator_args=['--lease-ttl-ms', str(LEASE_TTL_MS)],
                     partition_args=['--replica-lag-time-max-ms', str(LAG_MAX_MS)]) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, PARTITIONS, replication_factor=3,
                             config={'min.insync.replicas': '2'})
        wait_isr_healed(stack)
        prod = SequenceProducer(stack.bootstrap)
        prod.start()
        time.sleep(4)

        # 1. SIGKILL the leader of partition 0, restart it.
        victim_node = leader_of(stack, 0)
        victim = stack.name_of_node(victim_node)
        led = [p['partition'] for p in stack.describe(TOPIC)['partitions'] if p['leader'] == victim_node]
        killed_at = time.monotonic()
        stack.kill(victim, signal.SIGKILL)
        print('killed %s (node %d), leader of partitions %s' % (victim, victim_node, led))
        time.sleep(LEASE_TTL_MS / 1000 + 2)
        stack.restart(victim)
        healed_at = wait_isr_healed(stack)
        failover = prod.first_ack_after(killed_at, set(led))
        print('leader kill: ISR healed %.1fs after the kill' % (healed_at - killed_at))

        # 2. SIGSTOP a follower past the lag time, resume it.
        parts = stack.describe(TOPIC)['partitions']
        leaders = {p['leader'] for p in parts}
        followers = [n for n in parts[0]['replicas'] if n not in leaders] or \
            [n for n in parts[0]['replicas'] if n != parts[0]['leader']]
        stalled_node = followers[0]
        stalled = stack.name_of_node(stalled_node)
        stack.kill(stalled, signal.SIGSTOP)
        stopped_at = time.monotonic()
        print('stopped %s (node %d) for %.1fs' % (stalled, stalled_node, STALL_S))
        shrunk = wait_isr_shrunk(stack, stalled_node, timeout=STALL_S)
        time.sleep(max(0.0, stopped_at + STALL_S - time.monotonic()))
        stack.kill(stalled, signal.SIGCONT)
        wait_isr_healed(stack)
        print('follower stall: ISR shrank: %s; healed' % shrunk)

        # 3. SIGKILL the coordinator, restart it.
        stack.kill('coordinator', signal.SIGKILL)
        acked_before = len(prod.acked)
        time.sleep(3)
        acked_during = len(prod.acked) - acked_before
        stack.restart('coordinator')
        wait_isr_healed(stack)
        print('coordinator down 3s: %d records acknowledged meanwhile' % acked_during)

        # 4. SIGSTOP a leader past its lease, resume it.
        paused_node = leader_of(stack, 1)
        paused = stack.name_of_node(paused_node)
        epoch_before = stack.describe(TOPIC)['partitions'][1]['leader_epoch']
        stack.kill(paused, signal.SIGSTOP)
        time.sleep(LEASE_TTL_MS / 1000 + 2)
        moved = stack.describe(TOPIC)['partitions'][1]
        stack.kill(paused, signal.SIGCONT)
        wait_isr_healed(stack)
        print('paused leader %s (node %d) for %.1fs: partition 1 now led by %d at epoch %d'
              % (paused, paused_node, LEASE_TTL_MS / 1000 + 2, moved['leader'], moved['leader_epoch']))
        assert moved['leader'] != paused_node and moved['leader_epoch'] > epoch_before, moved

        time.sleep(3)
        prod.finish()
        acked = dict(prod.acked)
        records = clients.read_partitions(stack.bootstrap, TOPIC, PARTITIONS, expect=len(acked), timeout=120)
        lost, misplaced, duplicates, client_reorders = check_log(records, acked)
        gap = longest_gap([at for (_, _, at) in acked.values()])
        print('acked %d, lost %d, misplaced %d, duplicates %d, failed %d, reordered by client retries %d, '
              'longest gap without acks %.2fs, failover %s'
              % (len(acked), len(lost), len(misplaced), duplicates, len(prod.failed), client_reorders, gap,
                 '%.2fs' % (failover - killed_at) if failover else 'never'))
        assert not lost, 'acknowledged records lost: %r' % lost[:20]
        assert not misplaced, 'acknowledged records not at their acknowledged offsets: %r' % misplaced[:10]
        assert shrunk, 'the stalled follower was never taken out of the ISR'
        assert acked_during > 0, 'no write was acknowledged while the coordinator was down'
        assert failover is not None, 'no write acknowledged on the killed leader\'s partitions'
        wait_isr_healed(stack)


if __name__ == '__main__':
    main_guard(test)
