#!/usr/bin/env python3
"""`sluice groups list|describe|reset-offsets|delete` against a real stack
with two gateways and two group coordinators.

A kafka-python consumer joins group `app`, is assigned the three partitions
of `orders` (10 records each), commits offsets 4 and 7 for partitions 0 and
1 and nothing for partition 2, and stays in the group. Then:
- `list --json` shows the group once (each gateway lists every group),
  Stable, protocol type consumer;
- `describe --json`: state, assignor, the member with its assignment, the
  coordinator is one of the live group-coordinator node ids, and per
  partition committed, log end, lag (null where nothing is committed) and
  owner; the text form says "-" for the missing commit;
- `reset-offsets` and `delete` are refused while the member is active, and
  the offsets are unchanged;
- after the member leaves: dry runs change nothing, --execute applies
  to-earliest, to-offset (clamped to the log end), shift-by (clamped to the
  log start) and to-datetime (records written with known timestamps);
- `delete` removes the empty group and reports an unknown one (exit 1).
"""
import datetime
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard  # noqa: E402
import clients  # noqa: E402

from kafka import KafkaConsumer, TopicPartition  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

TOPIC = 'orders'
PARTITIONS = 3
GROUP = 'app'
OLD_RECORDS = 10  # per partition, timestamped two minutes ago
NEW_RECORDS = 5   # per partition, timestamped a second ago
COMMITS = {0: 4, 1: 7}  # partition 2 is assigned but never committed


def produce(bootstrap, count, timestamp_ms):
    p = clients.producer(bootstrap, acks='all')
    acks = clients.Acks()
    for partition in range(PARTITIONS):
        for i in range(count):
            p.produce(TOPIC, value=b'%d-%d' % (partition, i), partition=partition, timestamp=timestamp_ms + i,
                      on_delivery=acks)
    clients.flush(p)
    assert not acks.errors and len(acks.acked) == count * PARTITIONS, acks.errors[:3]


class Member:
    """A group member in a thread: commits COMMITS once assigned, pauses so
    it consumes nothing, and keeps polling (staying in the group) until
    leave(), which closes the consumer (LeaveGroup)."""

    def __init__(self, bootstrap):
        self.c = KafkaConsumer(TOPIC, bootstrap_servers=bootstrap, group_id=GROUP, client_id='cli-test-member',
                               enable_auto_commit=False, auto_offset_reset='earliest')
        self.committed = threading.Event()
        self.stop = threading.Event()
        self.error = None
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        try:
            while not self.c.assignment() or len(self.c.assignment()) < PARTITIONS:
                self.c.poll(200)
            self.c.pause(*self.c.assignment())
            self.c.commit({TopicPartition(TOPIC, p): OffsetAndMetadata(o, '') for p, o in COMMITS.items()})
            self.committed.set()
            while not self.stop.is_set():
                self.c.poll(200)
        except Exception as e:  # reported by the test thread
            self.error = e
            self.committed.set()

    def leave(self):
        self.stop.set()
        self.t.join(30)
        self.c.close()


class Cli:
    def __init__(self, stack):
        self.stack = stack

    def run(self, *args, check=True):
        # Only describe asks the coordinator (which group-coordinator instance serves the group).
        extra = ['--coordinator', self.stack.coordinator_url] if args[0] == 'describe' else []
        return self.stack.sluice('groups', *args, '--bootstrap-server', self.stack.bootstrap_all, *extra,
                                 check=check)

    def json(self, *args):
        return json.loads(self.run(*args, '--json').stdout)

    def describe(self):
        return self.json('describe', GROUP)

    def committed(self):
        return {p['partition']: p['committed'] for p in self.describe()['partitions']}

    def reset(self, *args, execute=False):
        plan = self.json('reset-offsets', GROUP, *args, *(['--execute'] if execute else []))
        assert plan['group'] == GROUP and plan['executed'] == execute, plan
        return {p['partition']: (p['committed'], p['new_offset']) for p in plan['partitions']}

    def wait_state(self, state, timeout=30):
        deadline = time.monotonic() + timeout
        d = None
        while time.monotonic() < deadline:
            d = self.describe()
            if d['state'] == state and (state != 'Stable' or any(m['assignment'] for m in d['members'])):
                return d
            time.sleep(0.2)
        raise AssertionError('group %s not %s within %ds: %r' % (GROUP, state, timeout, d))


def iso_utc(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def check_active(cli, gc_ids):
    """list and describe while the member holds every partition."""
    listed = [g for g in cli.json('list') if g['group'] == GROUP]
    assert listed == [{'group': GROUP, 'state': 'Stable', 'protocol_type': 'consumer'}], listed
    d = cli.wait_state('Stable')
    assert d['protocol_type'] == 'consumer' and d['protocol'] in ('range', 'roundrobin'), d
    assert d['coordinator'] in gc_ids, (d['coordinator'], gc_ids)
    assert len(d['members']) == 1, d['members']
    m = d['members'][0]
    assert m['client_id'] == 'cli-test-member' and m['host'], m
    assert m['assignment'] == [{'topic': TOPIC, 'partitions': [0, 1, 2]}], m
    rows = {p['partition']: p for p in d['partitions']}
    assert sorted(rows) == [0, 1, 2], rows
    for p, offset in COMMITS.items():
        assert rows[p] == {'topic': TOPIC, 'partition': p, 'committed': offset, 'log_end': OLD_RECORDS,
                           'lag': OLD_RECORDS - offset, 'member': m['member_id']}, rows[p]
    assert rows[2] == {'topic': TOPIC, 'partition': 2, 'committed': -1, 'log_end': OLD_RECORDS, 'lag': None,
                       'member': m['member_id']}, rows[2]
    assert d['total_lag'] == sum(OLD_RECORDS - o for o in COMMITS.values()), d
    text = cli.run('describe', GROUP).stdout.decode()
    assert 'State: Stable' in text and 'Coordinator: %d' % d['coordinator'] in text, text
    line2 = [ln.split() for ln in text.splitlines() if ln.startswith(TOPIC + ' ') and ln.split()[1] == '2']
    assert line2 == [[TOPIC, '2', '-', str(OLD_RECORDS), '-', m['member_id']]], text
    assert 'Total lag: %d' % d['total_lag'] in text, text


def check_refusals(cli):
    """No offset change and no deletion while a member is active."""
    before = cli.committed()
    p = cli.run('reset-offsets', GROUP, '--all-topics', '--to-earliest', '--execute', check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and 'inactive' in err and 'Stable' in err, (p.returncode, err)
    p = cli.run('delete', GROUP, check=False)
    err = p.stderr.decode()
    assert p.returncode != 0 and 'group has members' in err and 'NON_EMPTY_GROUP' in err, (p.returncode, err)
    assert cli.committed() == before, (cli.committed(), before)


def check_resets(cli, stack, now_ms):
    """Dry runs and executions on the empty group."""
    end = OLD_RECORDS
    # --all-topics: every partition of the topics with commits, dry run by default.
    assert cli.reset('--all-topics', '--to-earliest') == {0: (4, 0), 1: (7, 0), 2: (-1, 0)}
    assert cli.committed() == {0: 4, 1: 7}, 'a dry run changed offsets'
    assert cli.reset('--all-topics', '--to-earliest', execute=True) == {0: (4, 0), 1: (7, 0), 2: (-1, 0)}
    d = cli.describe()
    assert {p['partition']: p['committed'] for p in d['partitions']} == {0: 0, 1: 0, 2: 0}, d
    assert d['total_lag'] == 3 * end and d['members'] == [] and d['state'] == 'Empty', d

    # --to-offset on chosen partitions; past the log end it is clamped.
    assert cli.reset('--topic', TOPIC + ':1', '--to-offset', '6', execute=True) == {1: (0, 6)}
    assert cli.reset('--topic', TOPIC + ':0,2', '--to-offset', '99') == {0: (0, end), 2: (0, end)}
    assert cli.committed() == {0: 0, 1: 6, 2: 0}

    # --shift-by from the committed offsets, clamped at the log start.
    assert cli.reset('--topic', TOPIC, '--shift-by', '-2', execute=True) == {0: (0, 0), 1: (6, 4), 2: (0, 0)}
    assert cli.reset('--topic', TOPIC, '--shift-by', '3', execute=True) == {0: (0, 3), 1: (4, 7), 2: (0, 3)}

    # --to-datetime: the first record at or after the time; none that recent: the log end.
    produce(stack.bootstrap, NEW_RECORDS, now_ms - 1000)
    end = OLD_RECORDS + NEW_RECORDS
    between = iso_utc(now_ms - 60000)
    assert cli.reset('--topic', TOPIC, '--to-datetime', between) == {0: (3, 10), 1: (7, 10), 2: (3, 10)}
    assert cli.reset('--topic', TOPIC, '--to-datetime', between[:-1] + '+00:00', execute=True) == \
        {0: (3, 10), 1: (7, 10), 2: (3, 10)}
    assert cli.reset('--topic', TOPIC, '--to-datetime', iso_utc(now_ms + 3600000)) == \
        {0: (10, end), 1: (10, end), 2: (10, end)}
    assert cli.reset('--topic', TOPIC, '--to-datetime', '2000-01-01T00:00:00Z') == \
        {0: (10, 0), 1: (10, 0), 2: (10, 0)}
    assert cli.describe()['total_lag'] == 3 * NEW_RECORDS

    # --to-latest in the text form: a table, and the dry-run note on stderr.
    p = cli.run('reset-offsets', GROUP, '--topic', TOPIC, '--to-latest')
    rows = [ln.split() for ln in p.stdout.decode().splitlines()[1:]]
    assert rows == [[GROUP, TOPIC, str(i), '10', str(end)] for i in range(PARTITIONS)], rows
    assert 'Dry run' in p.stderr.decode(), p.stderr

    # Usage errors.
    for bad in (['--topic', TOPIC], ['--topic', TOPIC, '--to-earliest', '--to-latest'],
                ['--to-earliest'], ['--topic', TOPIC + ':9', '--to-earliest'],
                ['--topic', TOPIC, '--to-datetime', 'yesterday']):
        p = cli.run('reset-offsets', GROUP, *bad, check=False)
        assert p.returncode != 0 and p.stderr.decode().startswith('error: '), (bad, p.returncode, p.stderr)


def check_delete(cli):
    p = cli.run('delete', GROUP, 'no-such-group', check=False)
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 1, (p.returncode, out, err)
    assert "Deleted group '%s'." % GROUP in out, out
    assert 'no-such-group' in err and 'no such group' in err and 'GROUP_ID_NOT_FOUND' in err, err
    assert GROUP not in [g['group'] for g in cli.json('list')]
    p = cli.run('describe', GROUP, check=False)
    assert p.returncode == 1 and 'does not exist' in p.stderr.decode(), p.stderr


def test():
    with SluiceStack(gateways=2, group_coordinators=2) as stack:
        clients.create_topic(stack.bootstrap, TOPIC, PARTITIONS)
        now_ms = int(time.time() * 1000)
        produce(stack.bootstrap, OLD_RECORDS, now_ms - 120000)
        gc_ids = {stack.node_id('group-coordinator-%d' % i) for i in range(2)}
        assert None not in gc_ids, gc_ids
        cli = Cli(stack)

        member = Member(stack.bootstrap)
        assert member.committed.wait(60), 'the member was not assigned every partition within 60s'
        assert member.error is None, member.error
        check_active(cli, gc_ids)
        check_refusals(cli)
        member.leave()
        cli.wait_state('Empty')
        check_resets(cli, stack, now_ms)
        check_delete(cli)
        print('groups list/describe/reset-offsets/delete ok (group coordinators %s)' % sorted(gc_ids))


if __name__ == '__main__':
    main_guard(test)
