"""`sluice up` smoke test: starts the whole local stack as one command on a
temp data dir and an ephemeral port, waits for its ready line, lists metadata
with kcat, checks <data-dir>/run/<service>-<id>.{pid,cmd}, then SIGTERM must
stop everything with exit code 0."""
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import shutil

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import alive, bin_dir, free_port, main_guard, run, tail  # noqa: E402


def test():
    d = tempfile.mkdtemp(prefix='sluice-up-')
    data = os.path.join(d, 'data')
    port = free_port()
    log_path = os.path.join(d, 'up.log')
    log = open(log_path, 'wb')
    proc = subprocess.Popen([os.path.join(bin_dir(), 'sluice'), 'up', '--data-dir', data, '--port', str(port),
                             '--coordinator-port', '0'],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    ok = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with open(log_path, 'rb') as f:
                if b'ready' in f.read():
                    break
            assert proc.poll() is None, 'sluice up exited %s before ready' % proc.returncode
            time.sleep(0.1)
        else:
            raise AssertionError('sluice up not ready within 60s')

        # Children's own 'ready' lines may be forwarded to sluice up's output
        # before the stack as a whole serves, so allow a bounded retry.
        md = None
        deadline = time.monotonic() + 30
        while md is None:
            p = run(['/usr/bin/kcat', '-b', '127.0.0.1:%d' % port, '-L', '-J', '-m', '5'], timeout=30, check=False)
            if p.returncode == 0 and json.loads(p.stdout).get('brokers'):
                md = json.loads(p.stdout)
            elif time.monotonic() > deadline:
                raise AssertionError('kcat -L failed after ready: %s' % p.stderr.decode()[-500:])
            else:
                print('kcat -L not answered yet after a ready line; retrying')
                time.sleep(0.5)

        run_dir = os.path.join(data, 'run')
        pids = sorted(glob.glob(os.path.join(run_dir, '*.pid')))
        cmds = sorted(glob.glob(os.path.join(run_dir, '*.cmd')))
        names = sorted(os.path.basename(p)[:-4] for p in pids)
        assert [os.path.basename(c)[:-4] for c in cmds] == names, (pids, cmds)
        for kind in ('coordinator', 'partition-server', 'group-coordinator', 'gateway'):
            assert any(n.startswith(kind + '-') for n in names), (kind, names)
        for sub in ('coordinator', 'partition-server-', 'group-coordinator-'):
            assert glob.glob(os.path.join(data, sub + '*')), (sub, os.listdir(data))
        child_pids = []
        for p, c in zip(pids, cmds):
            pid = int(open(p).read().strip())
            argv = json.load(open(c))
            assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), argv
            assert os.path.basename(argv[0]).startswith('sluice-'), argv
            assert alive(pid), 'pid file %s: %d not running' % (p, pid)
            child_pids.append(pid)

        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        assert rc == 0, 'sluice up exited %d on SIGTERM' % rc
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in child_pids):
            time.sleep(0.1)
        assert not any(alive(p) for p in child_pids), 'children left running: %r' % [p for p in child_pids if alive(p)]
        ok = True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()
        if not ok:
            print('==== sluice up log ====\n' + tail(log_path, 60), file=sys.stderr)
            # service logs, if sluice up keeps any (segment .log files are binary: skipped)
            for lf in (glob.glob(os.path.join(data, 'run', '*.log')) + glob.glob(os.path.join(data, 'logs', '*.log')))[:8]:
                print('==== %s ====\n%s' % (lf, tail(lf, 20)), file=sys.stderr)
            print('kept %s' % d, file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main_guard(test)
