"""Checks compose/docker-compose.yml with `docker compose config` (or Debian's
`docker-compose config`): it parses, has the four services, the scalable ones
publish no fixed single host port and reach the coordinator by service name.
Exits 77 (ctest skip) only if neither tool exists. No Docker engine needed."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SKIP, main_guard  # noqa: E402

SRC = os.environ.get('SLUICE_SOURCE') or os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
COMPOSE = os.path.join(SRC, 'compose', 'docker-compose.yml')


def tool():
    if shutil.which('docker'):
        p = subprocess.run(['docker', 'compose', 'version'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if p.returncode == 0:
            return ['docker', 'compose']
    if shutil.which('docker-compose'):
        return ['docker-compose']
    return None


def test():
    t = tool()
    if t is None:
        print('neither `docker compose` nor docker-compose is installed: skipped')
        sys.exit(SKIP)
    base = t + ['-f', COMPOSE]
    p = subprocess.run(base + ['config'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    cfg = p.stdout.decode()
    p = subprocess.run(base + ['config', '--services'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, p.stderr.decode()
    services = set(p.stdout.decode().split())
    assert services == {'coordinator', 'partition-server', 'group-coordinator', 'gateway'}, services

    import yaml  # python3-yaml comes with docker-compose
    doc = yaml.safe_load(cfg)['services']
    for name in ('partition-server', 'group-coordinator', 'gateway'):
        s = doc[name]
        cmd = ' '.join(s['command'] if isinstance(s['command'], list) else [s['command']])
        assert 'tcp://coordinator:19090' in cmd, (name, cmd)
        assert '--node-id' not in cmd, ('scaled services get their id from the coordinator', name)
        assert not s.get('container_name'), (name, 'container_name prevents --scale')
        for port in s.get('ports', []):
            published = str(port.get('published', '')) if isinstance(port, dict) else str(port).split(':')[0]
            assert published == '' or '-' in published, (name, 'fixed host port blocks --scale', port)
        for v in s.get('volumes', []):
            src = v.get('source') if isinstance(v, dict) else str(v).split(':')[0]
            assert not src, (name, 'a shared volume would share the identity file between replicas', v)
    assert 'sluice-coordinator' in ' '.join(doc['coordinator']['command'])
    # The Dockerfile builds the five binaries and has a separate runtime stage
    df = open(os.path.join(SRC, 'compose', 'Dockerfile')).read()
    assert df.count('\nFROM ') + df.startswith('FROM ') >= 2, 'multi-stage Dockerfile expected'
    for exe in ('sluice-coordinator', 'sluice-partition-server', 'sluice-group-coordinator', 'sluice-gateway'):
        assert exe in df, exe
    print('compose file valid with %s' % ' '.join(t))


if __name__ == '__main__':
    main_guard(test)
