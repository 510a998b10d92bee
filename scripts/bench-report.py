#!/usr/bin/env python3
"""Compare BENCH lines of a base and a patched guest run.

    bench-report.py BASE.console PATCHED.console OUT.json OUT.md

Writes every benchmark's base value, patched value and patched/base ratio
(below 1.0: the patched kernel is faster), as JSON and as a table.
"""
import json
import re
import sys

LINE = re.compile(r'^BENCH (\S+) ([0-9.]+) (\S+)')


def load(path):
    values = {}
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            m = LINE.match(line.strip())
            if m:
                values[m.group(1)] = (float(m.group(2)), m.group(3))
    return values


def main():
    base_path, patched_path, out_json, out_md = sys.argv[1:5]
    base, patched = load(base_path), load(patched_path)
    rows = []
    for name in sorted(set(base) | set(patched)):
        b = base.get(name, (None, ''))[0]
        p = patched.get(name, (None, ''))[0]
        unit = (patched.get(name) or base.get(name))[1]
        ratio = round(p / b, 4) if b and p is not None else None
        rows.append({'name': name, 'unit': unit, 'base': b, 'patched': p, 'ratio': ratio})
    with open(out_json, 'w', encoding='utf-8') as f:
        json.dump({'clock': 'QEMU -icount shift=3', 'benchmarks': rows}, f, indent=2)
        f.write('\n')
    with open(out_md, 'w', encoding='utf-8') as f:
        f.write('| benchmark | unit | base | patched | patched/base |\n')
        f.write('|---|---|---:|---:|---:|\n')
        for r in rows:
            f.write(f"| {r['name']} | {r['unit']} | {r['base']} | {r['patched']} | {r['ratio']} |\n")
    missing = [r['name'] for r in rows if r['ratio'] is None]
    if missing:
        print(f'missing results: {", ".join(missing)}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
