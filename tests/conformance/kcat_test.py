"""kcat against a real stack: metadata (-L, -J), produce with keys and headers
(-P -K -H), consume from the beginning to the end (-C -o beginning -e)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures'))
from sluice_stack import SluiceStack, main_guard, run  # noqa: E402
import clients  # noqa: E402

KCAT = '/usr/bin/kcat'


def test():
    with SluiceStack(partition_servers=2) as stack:
        b = stack.bootstrap
        clients.create_topic(b, 'kcat-topic', partitions=3)

        text = run([KCAT, '-b', b, '-L'], timeout=30).stdout.decode()
        assert 'kcat-topic' in text and '3 partitions' in text, text
        md = json.loads(run([KCAT, '-b', b, '-L', '-J'], timeout=30).stdout)
        topics = {t['topic']: t for t in md['topics']}
        assert len(topics['kcat-topic']['partitions']) == 3, md
        assert len(md['brokers']) >= 1, md

        lines = ''.join('key%d:value %d\n' % (i, i) for i in range(300)).encode()
        run([KCAT, '-b', b, '-P', '-t', 'kcat-topic', '-K', ':', '-H', 'trace=abc', '-H', 'n=1'],
            input=lines, timeout=60)
        out = run([KCAT, '-b', b, '-C', '-t', 'kcat-topic', '-o', 'beginning', '-e', '-q',
                   '-f', '%p|%o|%k|%s|%h\\n'], timeout=60).stdout.decode()
        rows = [l.split('|') for l in out.splitlines() if l]
        assert len(rows) == 300, (len(rows), out[:500])
        got = {}
        for part, off, key, val, hdrs in rows:
            assert val == 'value %s' % key[3:], rows
            assert 'trace=abc' in hdrs and 'n=1' in hdrs, hdrs
            got.setdefault(key, []).append((int(part), int(off)))
        assert len(got) == 300
        # keyed: the same key always lands in one partition
        run([KCAT, '-b', b, '-P', '-t', 'kcat-topic', '-K', ':'],
            input=''.join('key%d:again\n' % i for i in range(20)).encode(), timeout=60)
        out = run([KCAT, '-b', b, '-C', '-t', 'kcat-topic', '-o', 'beginning', '-e', '-q',
                   '-f', '%p|%k\\n'], timeout=60).stdout.decode()
        parts = {}
        for l in out.splitlines():
            p, k = l.split('|')
            parts.setdefault(k, set()).add(p)
        assert all(len(v) == 1 for v in parts.values()), parts
        # per-partition offsets are dense from 0
        by_part = {}
        for part, off, *_ in rows:
            by_part.setdefault(int(part), []).append(int(off))
        for p, offs in by_part.items():
            assert offs == list(range(len(offs))), (p, offs[:20])


if __name__ == '__main__':
    main_guard(test)
