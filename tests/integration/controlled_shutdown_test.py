#!/usr/bin/env python3
"""Controlled shutdown: SIGTERM moves a partition server's leaderships to
other in-sync replicas before it exits, so an acks=all producer sees only
retriable errors and loses nothing.

Three partition servers, a topic with replication factor 3 and
min.insync.replicas=2. While librdkafka writes, the server leading
partition 0 gets SIGTERM. When it has exited, the coordinator must already
list other leaders (with higher leader epochs) for everything it led: the
lease (6 s) has not run out, so only the controlled shutdown can have moved
them. Then it is restarted, the ISR heals, and every acknowledged record is
read back.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))

from kafka_wire import KafkaConnection  # noqa: E402
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

TOPIC = 'shutdown'
PARTITIONS = 3


def partitions(stack):
    return {p['partition']: p for p in stack.describe(TOPIC)['partitions']}


def wait_healed(stack, timeout=60):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = partitions(stack)
        if all(p['leader'] >= 0 and sorted(p['isr']) == sorted(p['replicas']) for p in last.values()):
            return last
        time.sleep(0.25)
    raise AssertionError('ISR did not heal within %ds: %r' % (timeout, last))


def test():
    with SluiceStack(partition_servers=3) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, PARTITIONS, replication_factor=3,
                             config={'min.insync.replicas': '2'})
        before = wait_healed(stack)
        p = clients.producer(stack.bootstrap, acks='all', retries=1000000, **{'retry.backoff.ms': 100})
        acks = clients.Acks()
        sent = 0

        def produce(n):
            nonlocal sent
            for _ in range(n):
                p.produce(TOPIC, value=b'%d' % sent, partition=sent % PARTITIONS, on_delivery=acks)
                sent += 1
                p.poll(0)
                time.sleep(0.002)

        produce(500)
        node = before[0]['leader']
        name = stack.name_of_node(node)
        led = {i: q['leader_epoch'] for i, q in before.items() if q['leader'] == node}
        code = stack.kill(name, signal.SIGTERM)
        assert code == 0, '%s exited %r on SIGTERM' % (name, code)
        after = partitions(stack)
        for i, epoch in led.items():
            q = after[i]
            assert q['leader'] != node and q['leader'] >= 0, \
                'partition %d still led by the stopped server (or offline): %r' % (i, q)
            assert q['leader_epoch'] > epoch, 'leader epoch did not grow: %r' % q
            assert node not in q['isr'], 'stopped server still in the ISR: %r' % q
        produce(500)
        clients.flush(p)
        assert not acks.errors, 'delivery failures: %r' % acks.errors[:5]

        # OffsetForLeaderEpoch (KIP-320) through the gateway: the old epoch ended
        # where the new leader's began; a request naming the old epoch as current
        # is fenced.
        old_epoch, new_epoch = led[0], after[0]['leader_epoch']
        with KafkaConnection('127.0.0.1', stack.gateway_ports[0]) as conn:
            ended = conn.offset_for_leader_epoch(TOPIC, 0, old_epoch)[TOPIC][0]
            assert ended['error'] == 0 and ended['leader_epoch'] == old_epoch and ended['end_offset'] > 0, ended
            now = conn.offset_for_leader_epoch(TOPIC, 0, new_epoch, current_leader_epoch=new_epoch)[TOPIC][0]
            assert now['error'] == 0 and now['end_offset'] >= ended['end_offset'], now
            fenced = conn.offset_for_leader_epoch(TOPIC, 0, old_epoch, current_leader_epoch=old_epoch)[TOPIC][0]
            assert fenced['error'] == 74, fenced  # FENCED_LEADER_EPOCH

        stack.restart(name)
        wait_healed(stack)
        produce(200)
        clients.flush(p)
        assert not acks.errors, 'delivery failures after the restart: %r' % acks.errors[:5]
        records = clients.read_partitions(stack.bootstrap, TOPIC, PARTITIONS, expect=len(acks.acked))
        got = {(m.partition(), m.offset()) for m in records}
        missing = [k for k in acks.acked if k not in got]
        assert not missing, 'acknowledged records missing: %r' % missing[:10]
        print('moved %d leaderships on SIGTERM; %d records acknowledged, all read back' %
              (len(led), len(acks.acked)))


if __name__ == '__main__':
    main_guard(test)
