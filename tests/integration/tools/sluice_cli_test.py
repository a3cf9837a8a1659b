"""End to end test of the `sluice` command: `sluice up` on a free port with a
temp data dir, then every client subcommand against it (topics
create/list/describe/alter/delete, produce + consume with keys and headers, a
short bench), a kill -9 of a partition server that `sluice up` must restart
with a new pid in its .pid file, and SIGTERM → exit 0 with no child left.

A missing binary is a failure, not a skip: this test exists to run them."""
import glob
import json
import os
import signal
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures'))
from sluice_stack import alive, bin_dir, free_port, free_port_pair, main_guard, tail  # noqa: E402


def wait_for(what, check, timeout=30.0, interval=0.2):
    """Polls check() until it returns a truthy value; the bound only turns a
    hang into a failure with a message."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for ' + what)
        time.sleep(interval)


class Cli:
    def __init__(self, exe, bootstrap, coordinator):
        self.exe = exe
        self.bootstrap = bootstrap
        self.env = dict(os.environ, SLUICE_COORDINATOR=coordinator)

    def run(self, args, input=None, timeout=60):
        p = subprocess.run([self.exe] + args + ['--bootstrap-server', self.bootstrap], input=input,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=self.env)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')

    def ok(self, args, input=None, timeout=60):
        rc, out, err = self.run(args, input=input, timeout=timeout)
        assert rc == 0, 'sluice %s exited %d\nstdout: %s\nstderr: %s' % (' '.join(args), rc, out[-2000:], err[-2000:])
        return out

    def fails(self, args, expect_in_stderr, input=None):
        rc, out, err = self.run(args, input=input)
        assert rc != 0, 'sluice %s should have failed; stdout: %s' % (' '.join(args), out[-2000:])
        assert expect_in_stderr in err, 'sluice %s: %r not in stderr: %s' % (' '.join(args), expect_in_stderr, err)
        return err


def describe(cli, topic):
    doc = json.loads(cli.ok(['topics', 'describe', topic, '--json']))
    assert [t['name'] for t in doc['topics']] == [topic], doc
    return doc['topics'][0]


def check_topics(cli):
    cli.ok(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000'])
    cli.fails(['topics', 'create', 'orders', '--partitions', '3'], 'TOPIC_ALREADY_EXISTS')
    cli.fails(['topics', 'create', 'bad', '--config', 'no.such.config=1'], 'INVALID_CONFIG')
    cli.fails(['topics', 'describe', 'no-such-topic'], 'UNKNOWN_TOPIC_OR_PART')

    listed = json.loads(cli.ok(['topics', 'list', '--json']))
    assert {'name': 'orders', 'partitions': 3} in listed, listed
    assert 'bad' not in [t['name'] for t in listed], listed
    assert 'orders' in cli.ok(['topics', 'list']).split()

    t = describe(cli, 'orders')
    assert sorted(p['partition'] for p in t['partitions']) == [0, 1, 2], t
    for p in t['partitions']:
        # partition-server ids from the coordinator; one server, so RF 1
        assert p['leader'] >= 0 and p['replicas'] == [p['leader']] and p['isr'] == [p['leader']], p
        assert p['leader_epoch'] >= 0 and not p['offline'], p
    assert t['configs']['retention.ms']['value'] == '3600000', t['configs'].get('retention.ms')
    assert not t['configs']['retention.ms']['default'], t['configs']['retention.ms']
    text = cli.ok(['topics', 'describe', 'orders'])
    assert 'PartitionCount: 3' in text and 'retention.ms=3600000' in text, text

    # alter: more partitions, and a config change that keeps the earlier override
    cli.ok(['topics', 'alter', 'orders', '--partitions', '4', '--config', 'retention.bytes=1048576'])
    t = wait_for('4 partitions of orders', lambda: (lambda d: d if len(d['partitions']) == 4 else None)(
        describe(cli, 'orders')))
    assert t['configs']['retention.bytes']['value'] == '1048576', t['configs'].get('retention.bytes')
    assert t['configs']['retention.ms']['value'] == '3600000', 'AlterConfigs dropped an existing override'
    cli.ok(['topics', 'alter', 'orders', '--delete-config', 'retention.bytes'])
    t = describe(cli, 'orders')
    assert t['configs']['retention.bytes']['default'], t['configs']['retention.bytes']
    assert t['configs']['retention.ms']['value'] == '3600000'
    cli.fails(['topics', 'alter', 'orders', '--partitions', '2'], 'INVALID_PARTITIONS')
    cli.fails(['topics', 'alter', 'orders'], 'nothing to alter')


def check_produce_consume(cli):
    n = 40
    lines = ''.join('key-%d|value %d|x\n' % (i, i) for i in range(n))
    cli.ok(['produce', 'orders', '--key-separator', '|', '--header', 'source=test', '--header', 'n=1'],
           input=lines.encode())
    out = cli.ok(['consume', 'orders', '--from-beginning', '--max-messages', str(n), '--timeout-ms', '20000',
                  '--print-key', '--print-headers'])
    got = sorted(out.splitlines())
    want = sorted('source:test,n:1\tkey-%d\tvalue %d|x' % (i, i) for i in range(n))
    assert got == want, 'consumed %d lines, first differences: %r' % (
        len(got), [(a, b) for a, b in zip(got, want) if a != b][:3])

    # an explicit partition and offset, and records without a key
    cli.ok(['produce', 'orders', '--partition', '0'], input=b'p0-a\np0-b\n')
    out = cli.ok(['consume', 'orders', '--partition', '0', '--from-beginning', '--timeout-ms', '3000',
                  '--print-offset', '--print-key'])
    rows = [line.split('\t') for line in out.splitlines()]
    assert [r[1:] for r in rows[-2:]] == [['null', 'p0-a'], ['null', 'p0-b']], rows[-3:]
    last_offset = int(rows[-1][0].split(':')[1])
    out = cli.ok(['consume', 'orders', '--partition', '0', '--offset', str(last_offset), '--max-messages', '1',
                  '--timeout-ms', '20000'])
    assert out.splitlines() == ['p0-b'], out

    # a line without the separator is refused, the others still go out
    cli.fails(['produce', 'orders', '--key-separator', '|'], 'no key separator', input=b'ok|1\nbroken\n')


def check_bench(cli):
    doc = json.loads(cli.ok(['bench', 'produce', '--topic', 'bench', '--records', '20000', '--record-size', '200',
                             '--partitions', '2', '--acks', 'all', '--json'], timeout=120))
    assert doc['records'] == 20000 and doc['failed'] == 0 and doc['partitions'] == 2, doc
    assert doc['records_per_sec'] > 0 and doc['mib_per_sec'] > 0, doc
    lat = doc['latency_ms']
    assert 0 < lat['p50'] <= lat['p99'] <= lat['p999'] <= lat['max'], lat
    doc = json.loads(cli.ok(['bench', 'consume', '--topic', 'bench', '--records', '20000', '--json'], timeout=120))
    assert doc['records'] == 20000 and doc['bytes'] == 20000 * 200, doc
    # default --records: whatever the topic holds now
    doc = json.loads(cli.ok(['bench', 'consume', '--topic', 'bench', '--json'], timeout=120))
    assert doc['records'] == 20000, doc
    assert 'records/sec' in cli.ok(['bench', 'produce', '--topic', 'bench', '--records', '1000'])
    # paced: the last record cannot be sent before (n-1)/rate seconds, so the
    # rate can only come out at or under the limit
    doc = json.loads(cli.ok(['bench', 'produce', '--topic', 'bench', '--records', '1000', '--throughput', '5000',
                             '--json']))
    assert doc['records'] == 1000 and doc['throughput_limit'] == 5000, doc
    assert doc['records_per_sec'] <= 5000 * 1.01, doc


def check_delete(cli):
    cli.ok(['topics', 'delete', 'orders'])
    wait_for('orders to leave the topic list',
             lambda: 'orders' not in [t['name'] for t in json.loads(cli.ok(['topics', 'list', '--json']))])
    cli.fails(['topics', 'delete', 'orders'], 'UNKNOWN_TOPIC_OR_PART')


def check_restart(cli, run_dir, log_path):
    pid_file = os.path.join(run_dir, 'partition-server-0.pid')
    old = int(open(pid_file).read())
    assert alive(old)
    os.kill(old, signal.SIGKILL)

    def restarted():
        try:
            pid = int(open(pid_file).read())
        except (OSError, ValueError):
            return None
        return pid if pid != old and alive(pid) else None
    new = wait_for('partition-server-0 to be restarted', restarted)
    assert not alive(old)
    log = open(log_path, 'rb').read().decode('utf-8', 'replace')
    assert 'partition-server-0 (pid %d) killed by signal 9' % old in log, tail(log_path, 20)
    assert 'restarting in' in log
    # the stack serves again: records written before the kill are still there
    wait_for('bench topic readable after the restart',
             lambda: cli.run(['bench', 'consume', '--topic', 'bench', '--records', '22000', '--timeout-ms',
                              '5000', '--json'])[0] == 0, timeout=60, interval=1)
    return new


def test():
    exe = os.path.join(bin_dir(), 'sluice')
    assert os.access(exe, os.X_OK), 'missing %s (build the sluice target; SLUICE_BIN=%s)' % (exe, bin_dir())
    for name in ('sluice-coordinator', 'sluice-partition-server', 'sluice-group-coordinator', 'sluice-gateway'):
        assert os.access(os.path.join(bin_dir(), name), os.X_OK), 'missing %s in %s' % (name, bin_dir())

    d = tempfile.mkdtemp(prefix='sluice-cli-')
    data = os.path.join(d, 'data')
    run_dir = os.path.join(data, 'run')
    port = free_port()
    log_path = os.path.join(d, 'up.log')
    log = open(log_path, 'wb')
    coordinator_port = free_port_pair()  # RPC on it, metadata publishing on the next one
    proc = subprocess.Popen([exe, 'up', '--data-dir', data, '--port', str(port), '--stop-grace-ms', '5000',
                             '--coordinator-port', str(coordinator_port), '--bin-dir', bin_dir()],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    ok = False
    try:
        def ready():
            assert proc.poll() is None, 'sluice up exited %s before ready' % proc.returncode
            return any(line.startswith(b'[sluice] ready: bootstrap server 127.0.0.1:%d' % port)
                       for line in open(log_path, 'rb').read().splitlines())
        wait_for('sluice up to print its ready line', ready, timeout=60)
        cli = Cli(exe, '127.0.0.1:%d' % port, 'tcp://127.0.0.1:%d' % coordinator_port)
        # ready means every gateway logged ready; wait until they list brokers too
        wait_for('the gateway to answer metadata', lambda: cli.run(['topics', 'list', '--json'])[0] == 0)

        for name, check in (('topics create/list/describe/alter', lambda: check_topics(cli)),
                            ('produce/consume with keys and headers', lambda: check_produce_consume(cli)),
                            ('bench produce/consume', lambda: check_bench(cli)),
                            ('topics delete', lambda: check_delete(cli)),
                            ('kill -9 of partition-server-0 and restart', lambda: check_restart(cli, run_dir, log_path))):
            started = time.monotonic()
            check()
            print('ok: %s (%.1fs)' % (name, time.monotonic() - started))

        child_pids = [int(open(p).read()) for p in glob.glob(os.path.join(run_dir, '*.pid'))]
        assert len(child_pids) == 4, child_pids
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        assert rc == 0, 'sluice up exited %d on SIGTERM' % rc
        wait_for('children to exit', lambda: not any(alive(p) for p in child_pids), timeout=10)
        ok = True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        # children have their own process groups; their parent-death signal
        # is SIGTERM, this makes sure
        for p in glob.glob(os.path.join(run_dir, '*.pid')):
            try:
                pid = int(open(p).read())
            except (OSError, ValueError):
                continue
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
        if not ok:
            print('==== sluice up output (tail) ====\n' + tail(log_path, 80), file=sys.stderr)
            print('kept %s' % d, file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main_guard(test)
