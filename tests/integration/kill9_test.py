"""Nothing acknowledged is lost by a kill -9 of any process.

Usage: kill9_test.py partition-server|gateway|coordinator

Two confluent-kafka producers (acks=1 and acks=all) write numbered records at
a steady pace; mid-stream the named service is killed with SIGKILL and then
restarted from the fixture (same data dir, same ports) while the producers
keep going. Afterwards every acknowledged record must be readable at the
offset it was acknowledged with. Prints acked / not delivered / lost."""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

TARGETS = {'partition-server': 'partition-server-0', 'gateway': 'gateway-0', 'coordinator': 'coordinator'}
RECORDS = 4000
KILL_AT = 1200
PARTS = 3


def run(target):
    service = TARGETS[target]
    with SluiceStack(partition_servers=1) as stack:
        b = stack.bootstrap
        topics = {'k9-acks1': 1, 'k9-acksall': 'all'}
        for t in topics:
            clients.create_topic(b, t, partitions=PARTS)
        state = {}
        producers = {}
        for t, acks in topics.items():
            state[t] = clients.Acks()
            producers[t] = clients.producer(b, acks=acks, **{'linger.ms': 2, 'message.timeout.ms': 60000,
                                                           'retry.backoff.ms': 200,
                                                           'reconnect.backoff.max.ms': 1000})
        restarter = None
        restart_error = []

        def bring_back():
            try:
                time.sleep(1.0)  # let the producers run into the outage
                stack.restart(service)
            except Exception as e:  # reported by the main thread
                restart_error.append(e)

        for i in range(RECORDS):
            for t, p in producers.items():
                while True:
                    try:
                        p.produce(t, key=b'%d' % i, value=b'%s record %d' % (t.encode(), i), on_delivery=state[t])
                        break
                    except BufferError:
                        p.poll(0.1)
                p.poll(0)
            if i == KILL_AT:
                acked_before = {t: len(a.acked) for t, a in state.items()}
                print('killing %s with SIGKILL after %r acked' % (service, acked_before))
                stack.kill(service, signal.SIGKILL)
                restarter = threading.Thread(target=bring_back, daemon=True)
                restarter.start()
            time.sleep(0.001)
        restarter.join(60)
        assert not restarter.is_alive(), 'restart of %s hung' % service
        if restart_error:
            raise restart_error[0]
        for t, p in producers.items():
            p.flush(90)

        lost_total = 0
        for t in topics:
            acked = state[t].acked
            msgs = clients.read_partitions(b, t, PARTS, expect=len(acked), timeout=90)
            got = {(m.partition(), m.offset()): (m.key(), m.value()) for m in msgs}
            lost = [pos for pos, (k, v, _h) in acked.items() if got.get(pos) != (k, v)]
            keys = [m.key() for m in msgs]
            dups = len(keys) - len(set(keys))
            print('%s: acked %d, not delivered %d, lost %d, duplicates %d'
                  % (t, len(acked), len(state[t].errors), len(lost), dups))
            if lost:
                print('  first lost: %r' % [(p, acked[p]) for p in sorted(lost)[:5]])
            lost_total += len(lost)
            assert len(acked) > KILL_AT, '%s: only %d acked: the stack did not recover' % (t, len(acked))
        assert lost_total == 0, 'acknowledged records lost after kill -9 of %s' % service
        assert stack.service(service).running()


if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in TARGETS:
        print(__doc__)
        sys.exit(2)
    main_guard(lambda: run(sys.argv[1]))
