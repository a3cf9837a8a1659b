#!/usr/bin/env python3
"""Replica reassignment and leader elections with `sluice reassign` and
`sluice elect-leaders`, while librdkafka produces with acks=all.

Three partition servers. A topic with two partitions at replication factor
1 is moved to replication factor 3 (every partition gains two replicas that
copy the log from the leader), then to replication factor 2 on other
servers (a leader is removed, so leadership moves), while records are
produced throughout. `reassign verify` exits 2 while running and 0 when
done; the coordinator's placement matches the plan; every acknowledged
record is read back. Then preferred elections: the preferred replica leads
again after a leader is moved away.
"""
import json
import os
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

TOPIC = 'moving'
PARTITIONS = 2


def placement(stack):
    return {p['partition']: p for p in stack.describe(TOPIC)['partitions']}


def plan_file(entries):
    f = tempfile.NamedTemporaryFile('w', suffix='.json', delete=False)
    json.dump({'version': 1, 'partitions': [{'topic': TOPIC, 'partition': p, 'replicas': r}
                                            for p, r in entries.items()]}, f)
    f.close()
    return f.name


def reassign(stack, entries, timeout=60):
    """Executes a plan and waits until verify says it is complete."""
    path = plan_file(entries)
    c = stack.coordinator_url
    stack.sluice('reassign', 'execute', '--file', path, '--coordinator', c)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        p = stack.sluice('reassign', 'verify', '--file', path, '--coordinator', c, check=False)
        if p.returncode == 0:
            return
        assert p.returncode == 2, 'verify failed: %s %s' % (p.stdout, p.stderr)
        time.sleep(0.2)
    raise AssertionError('reassignment %r not complete within %ds: %r' % (entries, timeout, placement(stack)))


class Writer:
    """acks=all producer in a thread until stopped."""

    def __init__(self, bootstrap):
        self.p = clients.producer(bootstrap, acks='all', retries=1000000, **{'retry.backoff.ms': 100})
        self.acks = clients.Acks()
        self.stop = threading.Event()
        self.sent = 0
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.p.produce(TOPIC, value=b'%d' % self.sent, partition=self.sent % PARTITIONS,
                           on_delivery=self.acks)
            self.sent += 1
            self.p.poll(0)
            time.sleep(0.002)

    def finish(self):
        self.stop.set()
        self.t.join()
        clients.flush(self.p)


def test():
    with SluiceStack(partition_servers=3) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, PARTITIONS, replication_factor=1)
        nodes = sorted(stack.node_id(n) for n in stack.partition_server_names())
        before = placement(stack)
        w = Writer(stack.bootstrap)
        w.t.start()
        time.sleep(1)

        # Grow to RF 3: each partition's current leader stays first.
        grow = {p: [before[p]['leader']] + [n for n in nodes if n != before[p]['leader']] for p in before}
        reassign(stack, grow)
        after = placement(stack)
        for p, target in grow.items():
            assert after[p]['replicas'] == target, after[p]
            assert sorted(after[p]['isr']) == sorted(target), after[p]
            assert 'adding_replicas' not in after[p], after[p]

        # Shrink to RF 2 without the current leaders: leadership must move.
        shrink = {p: [n for n in nodes if n != after[p]['leader']] for p in after}
        reassign(stack, shrink)
        moved = placement(stack)
        for p, target in shrink.items():
            assert moved[p]['replicas'] == target, moved[p]
            assert moved[p]['leader'] in target and moved[p]['leader_epoch'] > after[p]['leader_epoch'], moved[p]
        time.sleep(1)
        w.finish()
        assert not w.acks.errors, 'delivery failures: %r' % w.acks.errors[:5]
        records = clients.read_partitions(stack.bootstrap, TOPIC, PARTITIONS, expect=len(w.acks.acked))
        got = {(m.partition(), m.offset()) for m in records}
        missing = [k for k in w.acks.acked if k not in got]
        assert not missing, 'acknowledged records missing after the moves: %r' % missing[:10]

        # Preferred election: move partition 0's leadership off its preferred
        # replica by a controlled shutdown of that server, bring it back, elect.
        preferred = moved[0]['replicas'][0]
        name = stack.name_of_node(preferred)
        assert stack.kill(name, signal.SIGTERM) == 0
        stack.restart(name)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            q = placement(stack)[0]
            if preferred in q['isr']:
                break
            time.sleep(0.2)
        assert placement(stack)[0]['leader'] != preferred, placement(stack)[0]
        out = stack.sluice('elect-leaders', '--type', 'preferred', '--topic', TOPIC, '--partition', '0',
                           '--coordinator', stack.coordinator_url).stdout.decode()
        assert 'Successfully completed leader election' in out, out
        assert placement(stack)[0]['leader'] == preferred, placement(stack)[0]
        out = stack.sluice('elect-leaders', '--type', 'preferred', '--topic', TOPIC, '--partition', '0',
                           '--coordinator', stack.coordinator_url).stdout.decode()
        assert 'already elected' in out, out
        print('%d records acknowledged through RF 1 -> 3 -> 2 moves, all read back; preferred election ok'
              % len(w.acks.acked))


if __name__ == '__main__':
    main_guard(test)
