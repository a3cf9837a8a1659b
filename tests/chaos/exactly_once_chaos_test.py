#!/usr/bin/env python3
"""Chaos: exactly once, with Kafka's Java client, while servers die and stall.

Three partition servers, three group coordinators, topics at replication
factor 3 with min.insync.replicas=2; the Java programs of tests/java/
(skipped, 77, without Java).

Part 1, the idempotent producer (IdempotentProducer: acks=all, 5 requests in
flight, sequence numbers round-robin over 3 partitions at a steady rate).
While it writes: the leader of partition 0 is killed with SIGKILL and
restarted; the leader of partition 1 is paused with SIGSTOP past its lease and
resumed; the coordinator is killed with SIGKILL and restarted. Then: every
record acknowledged, 0 duplicates in the log, 0 acknowledged records lost,
every record at the offset its acknowledgement reported, and in each
partition the log order is the send order.

Part 2, consume-transform-produce (TxnCopy: a read_committed group member
and a transactional producer committing output and offsets in one
transaction; the transactional.id is chosen to hash to the group's
__consumer_offsets partition, so one group-coordinator instance is both the
group's and the transaction's coordinator). While it copies: that instance is
killed with SIGKILL (another takes the shard over) and restarted; the leader
of output partition 0 is killed with SIGKILL and restarted; then the copier
is frozen with SIGSTOP inside a transaction, a second copier with the same transactional.id and
group takes over, and the frozen one, resumed, must be fenced (exit 3,
ProducerFencedException). Then: every input record is in the output exactly
once under read_committed (so nothing aborted is read), and the group's
committed offsets are the input's end offsets.

Bounded: about three minutes; loopback only.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard, run_checks  # noqa: E402
import clients  # noqa: E402
import java_clients  # noqa: E402
from group_shards import wait_single_owner  # noqa: E402
from offsets_topic import offsets_partition_of  # noqa: E402

PARTITIONS = 3
LEASE_TTL_MS = 6000
GROUP_COORDINATOR_ARGS = ['--group-initial-rebalance-delay-ms', '0', '--group-min-session-timeout-ms', '1000']
IDEMPOTENT_RATE = 150
IDEMPOTENT_COUNT = 6000  # about 40 s at IDEMPOTENT_RATE
COPY_FIRST, COPY_SECOND = 600, 300
GROUP = 'eos-group'


def leader_of(stack, topic, partition):
    for p in stack.describe(topic)['partitions']:
        if p['partition'] == partition:
            return p['leader']
    raise AssertionError('%s-%d not described' % (topic, partition))


def wait_isr_healed(stack, topic, timeout=60):
    def healed():
        try:
            parts = stack.describe(topic)['partitions']
        except Exception:  # the coordinator may be coming back
            return False
        return all(p['leader'] >= 0 and sorted(p['isr']) == sorted(p['replicas']) for p in parts)
    clients.wait_until('%s ISR healed' % topic, healed, timeout, interval=0.25)


def create(stack, topic):
    clients.create_topic(stack.bootstrap, topic, PARTITIONS, replication_factor=3,
                         config={'min.insync.replicas': '2'})
    wait_isr_healed(stack, topic)


def output_of(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace').splitlines()


def wait_exit(proc, path, timeout, what):
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError('%s did not finish within %ds; output tail:\n%s'
                             % (what, timeout, '\n'.join(output_of(path)[-30:])))


# ------------------------------------------------------------ part 1

def idempotent_producer(stack, workdir):
    topic = 'eos-idempotent'
    create(stack, topic)
    out = os.path.join(workdir, 'idempotent.out')
    proc = java_clients.start('IdempotentProducer', stack.bootstrap, topic, PARTITIONS, IDEMPOTENT_COUNT,
                              IDEMPOTENT_RATE, 120000, stdout_path=out)
    try:
        time.sleep(4)
        victim = stack.name_of_node(leader_of(stack, topic, 0))
        stack.kill(victim, signal.SIGKILL)
        print('killed %s, leader of %s-0' % (victim, topic), flush=True)
        time.sleep(LEASE_TTL_MS / 1000 + 2)
        stack.restart(victim)
        wait_isr_healed(stack, topic)

        paused_node = leader_of(stack, topic, 1)
        paused = stack.name_of_node(paused_node)
        stack.kill(paused, signal.SIGSTOP)
        time.sleep(LEASE_TTL_MS / 1000 + 2)
        moved = leader_of(stack, topic, 1)
        stack.kill(paused, signal.SIGCONT)
        print('paused %s (leader of %s-1) past its lease; leader now node %d' % (paused, topic, moved), flush=True)
        assert moved != paused_node, 'partition 1 did not move away from the paused leader'
        wait_isr_healed(stack, topic)

        stack.kill('coordinator', signal.SIGKILL)
        time.sleep(3)
        stack.restart('coordinator')
        wait_isr_healed(stack, topic)
        print('coordinator killed for 3 s and restarted', flush=True)
        rc = wait_exit(proc, out, 180, 'the idempotent producer')
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = output_of(out)
    failed = [line for line in lines if line.startswith('FAIL')]
    acked = {int(s): (int(p), int(o)) for s, p, o in java_clients.lines('ACK', lines)}
    records = clients.read_partitions(stack.bootstrap, topic, PARTITIONS, expect=len(acked), timeout=120)
    at = {(m.partition(), m.offset()): int(m.value()) for m in records}
    seqs = list(at.values())
    present = set(seqs)
    duplicates = len(seqs) - len(present)
    lost = sorted(s for s in acked if s not in present)
    misplaced = sorted(s for s, where in acked.items() if at.get(where) != s)
    disordered = []
    for q in range(PARTITIONS):
        order = [s for (p, _), s in sorted(at.items()) if p == q]
        disordered += [(q, a, b) for a, b in zip(order, order[1:]) if b < a]
    print('idempotent producer: sent %d, acknowledged %d, failed %d, in the log %d, duplicates %d, lost %d, '
          'misplaced %d, out of send order %d' % (IDEMPOTENT_COUNT, len(acked), len(failed), len(seqs), duplicates,
                                                   len(lost), len(misplaced), len(disordered)), flush=True)
    assert rc == 0 and not failed, 'exit %d; failures %r' % (rc, failed[:5])
    assert len(acked) == IDEMPOTENT_COUNT, 'acknowledged %d of %d' % (len(acked), IDEMPOTENT_COUNT)
    assert duplicates == 0, 'duplicates in the log: %d' % duplicates
    assert not lost, 'acknowledged records lost: %r' % lost[:20]
    assert not misplaced, 'not at their acknowledged offsets: %r' % misplaced[:20]
    assert not disordered, 'log order differs from send order: %r' % disordered[:10]


# ------------------------------------------------------------ part 2

def transactional_id_for(group):
    """A transactional.id in the same __consumer_offsets/__transaction_state
    partition as `group` (both hash as Kafka does)."""
    want = offsets_partition_of(group)
    return next('eos-copy-%d' % i for i in range(10000) if offsets_partition_of('eos-copy-%d' % i) == want)


def produce_input(stack, topic, first, count):
    p = clients.producer(stack.bootstrap, acks='all')
    for i in range(first, first + count):
        p.produce(topic, value=b'%d' % i, key=b'%d' % i, partition=i % PARTITIONS)
    clients.flush(p)


def copied_lines(path):
    return sum(int(n) for (n,) in java_clients.lines('COMMITTED', output_of(path)))


def freeze_in_transaction(proc, path, timeout=60):
    """SIGSTOPs the copier while it holds an open transaction: its last line
    is OPEN (it sleeps PAUSE_MS between OPEN and the commit). Retries if the
    commit slipped in before the stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = output_of(path)
        if lines and lines[-1].startswith('OPEN'):
            os.killpg(proc.pid, signal.SIGSTOP)
            time.sleep(0.2)  # any output written before the stop is in the file now
            if output_of(path)[-1].startswith('OPEN'):
                return
            os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(0.02)
    raise AssertionError('the copier never held an open transaction: %r' % output_of(path)[-10:])


def consume_transform_produce(stack, workdir):
    create(stack, 'eos-in')
    create(stack, 'eos-out')
    tid = transactional_id_for(GROUP)
    shard = offsets_partition_of(GROUP)
    produce_input(stack, 'eos-in', 0, COPY_FIRST)
    total = COPY_FIRST + COPY_SECOND
    out_a = os.path.join(workdir, 'copier-a.out')
    out_b = os.path.join(workdir, 'copier-b.out')
    args = (stack.bootstrap, 'eos-in', 'eos-out', GROUP, tid, 'loop', 150000)
    a = java_clients.start('TxnCopy', *args, 300, total, stdout_path=out_a)
    b = None
    try:
        clients.wait_until('the copier committing', lambda: copied_lines(out_a) > 0, 60,
                           detail=lambda: output_of(out_a)[-10:])

        owner = wait_single_owner(stack, shard)
        stack.kill(owner, signal.SIGKILL)
        print('killed %s, coordinator of %s and of %s (shard %d)' % (owner, GROUP, tid, shard), flush=True)
        successor = wait_single_owner(stack, shard, exclude=(owner,))
        before = copied_lines(out_a)
        clients.wait_until('commits after the coordinator kill', lambda: copied_lines(out_a) > before, 60,
                           detail=lambda: output_of(out_a)[-10:])
        stack.restart(owner)
        print('%s took the shard over; commits go on' % successor, flush=True)

        victim = stack.name_of_node(leader_of(stack, 'eos-out', 0))
        stack.kill(victim, signal.SIGKILL)
        print('killed %s, leader of eos-out-0' % victim, flush=True)
        time.sleep(LEASE_TTL_MS / 1000 + 2)
        stack.restart(victim)
        wait_isr_healed(stack, 'eos-out')
        before = copied_lines(out_a)
        clients.wait_until('commits after the leader kill', lambda: copied_lines(out_a) > before, 60,
                           detail=lambda: output_of(out_a)[-10:])

        produce_input(stack, 'eos-in', COPY_FIRST, COPY_SECOND)
        freeze_in_transaction(a, out_a)
        print('froze the copier inside a transaction; a second one takes %s over' % tid, flush=True)
        b = java_clients.start('TxnCopy', *args, 100, total, stdout_path=out_b)
        clients.wait_until('the second copier committing', lambda: copied_lines(out_b) > 0, 60,
                           detail=lambda: output_of(out_b)[-10:])
        os.killpg(a.pid, signal.SIGCONT)
        rc_a = wait_exit(a, out_a, 60, 'the zombie copier')
        print('zombie: exit %d, %s' % (rc_a, [line for line in output_of(out_a) if 'FENCED' in line][:1]), flush=True)
        assert rc_a == 3, 'the zombie copier was not fenced (exit %d): %r' % (rc_a, output_of(out_a)[-10:])
        rc_b = wait_exit(b, out_b, 120, 'the second copier')
        assert rc_b == 0, 'the second copier failed (exit %d): %r' % (rc_b, output_of(out_b)[-10:])
    finally:
        for proc in (a, b):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGCONT)
                proc.kill()

    committed = clients.read_partitions(stack.bootstrap, 'eos-out', PARTITIONS, timeout=120,
                                        **{'isolation.level': 'read_committed'})
    everything = clients.read_partitions(stack.bootstrap, 'eos-out', PARTITIONS, timeout=120)
    sources = [tuple(m.value().decode().split(':')[:2]) for m in committed]
    inputs = clients.read_partitions(stack.bootstrap, 'eos-in', PARTITIONS, expect=total, timeout=120)
    want = {(str(m.partition()), str(m.offset())) for m in inputs}
    missing = want - set(sources)
    duplicates = len(sources) - len(set(sources))
    aborted = sum(1 for line in output_of(out_a) + output_of(out_b) if line.startswith('ABORTED'))
    print('consume-transform-produce: input %d, output read_committed %d (missing %d, duplicates %d), '
          'output records in the log %d, aborted transactions %d'
          % (len(want), len(sources), len(missing), duplicates, len(everything), aborted), flush=True)
    assert not missing, 'input records missing from the output: %r' % sorted(missing)[:10]
    assert duplicates == 0, 'input records copied more than once: %d' % duplicates
    assert set(sources) == want, 'output records from nowhere: %r' % sorted(set(sources) - want)[:10]
    offsets = clients.committed(stack.bootstrap, GROUP, 'eos-in', PARTITIONS)
    ends = {q: sum(1 for m in inputs if m.partition() == q) for q in range(PARTITIONS)}
    assert offsets == ends, 'committed offsets %r, input ends %r' % (offsets, ends)


def test():
    java_clients.require()
    workdir = tempfile.mkdtemp(prefix='sluice-eos-chaos-')
    with SluiceStack(partition_servers=3, group_coordinators=3,
                     coordinator_args=['--lease-ttl-ms', str(LEASE_TTL_MS)],
                     group_coordinator_args=GROUP_COORDINATOR_ARGS) as stack:
        run_checks(stack, [('idempotent producer', lambda s: idempotent_producer(s, workdir)),
                           ('consume-transform-produce', lambda s: consume_transform_produce(s, workdir))])
    shutil.rmtree(workdir, ignore_errors=True)  # kept, with the programs' output, when a check failed


if __name__ == '__main__':
    main_guard(test)
